// Shared Jest settings: TypeScript through SWC (with decorator metadata, which
// NestJS needs) and the same path aliases as tsconfig.base.json.
const path = require('node:path');

const swcOptions = {
  swcrc: false,
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
};

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcOptions],
    // @fastify/static (Swagger UI assets) requires content-disposition, which ships
    // ES modules only; Node loads it with require(esm), Jest needs it compiled.
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { swcrc: false, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@siteops/([a-z-]+)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
  // The counts of every run feed the one-line total that `npm test` ends with.
  reporters: ['default', path.join(__dirname, 'scripts/jest-results-reporter.js')],
  testTimeout: 30_000,
};
