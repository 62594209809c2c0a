export * from './test-env';
export * from './fixture-process';
export * from './decider-spec';
export * from './free-port';
export * from './platform-process';
export * from './random';
