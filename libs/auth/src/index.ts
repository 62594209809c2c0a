export * from './api-key';
export * from './roles';
export * from './access';
export * from './actions';
