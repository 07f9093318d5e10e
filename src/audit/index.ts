/**
 * The audit room's public surface: what services, the CLI (`faceledger audit verify`) and the server
 * (`GET /api/v1/audit`, `GET /api/v1/audit/verify`) use. Tests and fixtures are not exported.
 */
export {
  AUDIT_DETAIL_SCHEMAS,
  AUDIT_EVENT_TYPES,
  type AuditDetails,
  type AuditEntry,
  type AuditEvent,
  type AuditEventType,
  actor,
  auditEventSchema,
  isPlainDetails,
  parseAuditEvent,
  readDetails,
  SYSTEM_ACTOR,
} from './audit-event.js';
export {
  AUDIT_CHECKPOINT_EVERY,
  AUDIT_MIN_RETENTION_DAYS,
  AUDIT_QUERY_MAX_LIMIT,
  AUDIT_RETENTION_DAYS,
  type AuditFilters,
  AuditLog,
  type AuditLogOptions,
  type AuditPage,
  type AuditQuery,
  type DetailsSealer,
  type PurgeResult,
} from './audit-log.js';
export { AUDIT_MIGRATION, type CheckpointRecord } from './audit-schema.js';
export { computeEntryHash, entryHashInput, GENESIS_HASH, sha256Hex } from './canonical.js';
export {
  type CheckpointSigner,
  Ed25519CheckpointSigner,
  keyIdOf,
  loadOrCreateSigningKey,
  loadPublicKey,
  loadSigningKey,
  publicKeyPath,
  verifyCheckpointSignature,
} from './checkpoint-signer.js';
export { readCheckpointWitness, writeCheckpointWitness } from './checkpoint-witness.js';
export {
  VERIFY_FAILURE_REASONS,
  type VerifyFailure,
  type VerifyFailureReason,
  type VerifyOptions,
  type VerifyReport,
  verifyAuditChain,
} from './verify.js';
