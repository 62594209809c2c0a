module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'hierarchy',
  rootDir: __dirname,
};
