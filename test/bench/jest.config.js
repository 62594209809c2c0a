module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'test-bench',
  rootDir: __dirname,
};
