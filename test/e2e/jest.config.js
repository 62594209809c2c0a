module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'test-e2e',
  rootDir: __dirname,
};
