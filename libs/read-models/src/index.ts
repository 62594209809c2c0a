export { readModelMigrations } from './read-models.migrations';
export * from './read-model.rows';
export { hashReadModels } from './read-models.hash';
