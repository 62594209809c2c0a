module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'effective-config',
  rootDir: __dirname,
};
