export * from './config';
export * from './logger';
export * from './health';
export * from './health-server';
export * from './infrastructure';
export * from './run-main';
export * from './app';
export * from './relay';
