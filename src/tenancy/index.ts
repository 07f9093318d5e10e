/**
 * The tenancy room's public surface: who may act. Tests, fixtures and the internals that mint callers
 * or run unscoped SQL are not exported.
 */
export { API_KEY_DEFAULT_DAYS, type ApiKeysRepo, type NewApiKey } from './api-keys-repo.js';
export {
  type ApiKeyCheck,
  AuthService,
  type CodeCheck,
  type EnrolmentResult,
  type EnrolmentStart,
  type IssuedSession,
  type LoginResult,
  type SecondFactorResult,
  type SessionCheck,
  type SetupResult,
} from './auth.js';
export { createPlatformAdmin, type NewPlatformAdmin } from './bootstrap.js';
export { type Caller, isGenuineCaller, type OrgCaller } from './caller.js';
export { DEFAULT_SETTINGS, type TenancyDeps, type TenancyOptions, type TenancySettings } from './context.js';
export { DENIAL_REASONS, type DenialReason, denialOf } from './denial.js';
export type { GalleryAccessRepo } from './galleries-access.js';
export type { GalleryGrant, GalleryGrantsRepo } from './gallery-grants.js';
export { checkGalleryName } from './gallery-names.js';
export { GALLERY_NAMES_PER_OWNER_MIGRATION } from './gallery-names-schema.js';
export { galleryOwner, orgOwnedGalleryIds } from './gallery-owner-lookups.js';
export type { NewOrg, OrgDirectory, OrgProfileRepo } from './orgs.js';
export {
  type Argon2Params,
  DEFAULT_ARGON2,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
} from './passwords.js';
export { ORG_CONTENT_TABLES } from './platform-sql.js';
export {
  ACTIONS,
  type Action,
  authorize,
  can,
  POLICY,
  policyMatrix,
  REACHES,
  type Reach,
  type Resource,
} from './policy.js';
export {
  type CountsRepo,
  type DayRange,
  DEFAULT_QUOTAS,
  QUOTA_WINDOWS,
  type QuotaDecision,
  type QuotaDefaults,
  QuotaService,
  type QuotaSettingsView,
  type QuotasRepo,
  type QuotaWindow,
} from './quota.js';
export type {
  ApiKeyView,
  IssuedSetupToken,
  OrgContact,
  OrgView,
  QuotaLimits,
  SearchCountRow,
  SessionView,
  UserView,
} from './records.js';
export {
  API_KEY_ROLES,
  type ApiKeyRole,
  MFA_REQUIRED_ROLES,
  mfaRequiredFor,
  type OrgRole,
  ROLES,
  type Role,
} from './roles.js';
export { TENANCY_MIGRATION } from './schema.js';
export type { SessionsRepo } from './sessions-repo.js';
export { type OrgScope, type PlatformScope, TenancyStore, type TenancyStoreOptions } from './store.js';
export { Tenancy } from './tenancy.js';
export type { NewUser, UsersRepo } from './users-repo.js';
