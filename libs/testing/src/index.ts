export * from './test-env';
export * from './fixture-process';
