/**
 * The whole database schema, in order: each room owns its tables and migration, and this list is the
 * one place that orders them. Append only; a released migration is never edited.
 */
import { AUDIT_MIGRATION } from '../audit/index.js';
import { CRYPTO_MIGRATION } from '../crypto/index.js';
import type { Migration } from '../gallery/store/migrations.js';
import { MIGRATIONS as GALLERY_MIGRATIONS } from '../gallery/store/migrations.js';
import { GALLERY_NAMES_PER_OWNER_MIGRATION, TENANCY_MIGRATION } from '../tenancy/index.js';
import { ALERTS_MIGRATION } from './alerts/alerts-schema.js';
import { OPT_OUT_HOLD_MIGRATION, OPT_OUT_MIGRATION } from './opt-out/opt-out-schema.js';
import { SEARCH_HISTORY_MIGRATION } from './search-history/schema.js';

export const SCHEMA: readonly Migration[] = [
  ...GALLERY_MIGRATIONS, // v1 galleries, images, faces, identities, ingest jobs
  AUDIT_MIGRATION, // v2 audit entries and checkpoints
  CRYPTO_MIGRATION, // v3 data keys
  TENANCY_MIGRATION, // v4 orgs, users, sessions, API keys, gallery owners and grants, quotas, counts
  SEARCH_HISTORY_MIGRATION, // v5 case-bound searches: sealed history, probes, per-org retention
  OPT_OUT_MIGRATION, // v6 opt-out suppression list (sealed face templates, hashed confirmation codes)
  ALERTS_MIGRATION, // v7 alerts for auditors (volume, off-hours, probe bursts, inactive accounts) and the sweep cursor
  GALLERY_NAMES_PER_OWNER_MIGRATION, // v8 gallery names unique per owner (org or platform), not installation-wide
  OPT_OUT_HOLD_MIGRATION, // v9 public opt-outs held (suppressed at once, erased when the hold ends) and reviewable
];
