export { createDynamoStore, DEFAULT_LOG_TTL_SECONDS } from './createDynamoStore';
export type { DynamoStoreOptions } from './createDynamoStore';
export { createTableInput, ensureTable } from './table';
export { createDocumentClient, unixSocketRequestHandler } from './client';
export { DynamoStoreError } from './errors';
export { CONNECTION_TTL_SECONDS } from './connectionStore';
export { asStoredVariable, MAX_VARIABLE_VALUE_BYTES } from './variableStore';
export { TableIndexes, TableKeys } from './schema';
export type { TableIndex } from './schema';
