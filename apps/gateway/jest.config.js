const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'gateway',
  rootDir: __dirname,
  // @fastify/static (Swagger UI assets) requires content-disposition, which ships
  // ES modules only; Node loads it with require(esm), Jest needs it compiled.
  transform: {
    ...preset.transform,
    '/node_modules/content-disposition/.+\\.js$': [
      '@swc/jest',
      { swcrc: false, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};
