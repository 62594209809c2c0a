export * from './cidr';
export * from './canonical-hash';
export * from './effective-config';
