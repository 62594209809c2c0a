export * from './crypto.errors';
export { MASTER_KEY_BYTES, MasterKey, generateMasterKey, parseMasterKey } from './master-key';
export {
  DataKey,
  assertMasterKeyWraps,
  createDataKey,
  rewrapDataKeys,
  unwrapDataKey,
  type WrappedDataKey,
} from './data-key';
export { openValue, sealValue, type SecretContext } from './sealed-value';
