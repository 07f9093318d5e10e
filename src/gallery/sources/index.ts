export { isPrivateAddress } from './net-guard.js';
export { openSource } from './open-source.js';
export {
  DEFAULT_SOURCE_OPTIONS,
  type FetchOptions,
  type IngestSource,
  resolveSourceOptions,
  type SourceEntry,
  type SourceItem,
  type SourceOptions,
  type SourceOptionsInput,
  type SourceProblem,
} from './source-item.js';
export { fetchImage } from './url-fetch.js';
