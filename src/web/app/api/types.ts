/**
 * The JSON shapes the UI reads, as the server's routes answer them (see /api/v1/openapi.json). Only
 * the fields the pages use are named; the server may send more.
 */

export type Role = 'platform-admin' | 'org-admin' | 'investigator' | 'auditor';

export interface SessionUser {
  id: string;
  orgId: string | null;
  email: string;
  name: string | null;
  roles: Role[];
  mfaEnrolled: boolean;
}

export interface SessionOk {
  status: 'ok';
  user: SessionUser;
  csrfToken: string;
  csrfHeader: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
  recoveryCodes?: string[];
}

export interface SessionStep {
  status: 'mfa-required' | 'mfa-enrolment-required';
  challenge: string;
  expiresAt: string;
}

export interface WhoAmI {
  user: SessionUser;
  csrfToken: string | null;
  csrfHeader: string;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUri: string;
}

/** [x, y, width, height] in the image's pixels. */
export type Box = [number, number, number, number];

export interface FaceView {
  box: Box;
  score: number;
  landmarks: [number, number][];
}

export type Confidence = 'high' | 'possible' | 'low';

export interface Candidate {
  rank: number;
  faceId: string;
  imageId: string;
  gallery: string;
  subjectId: string | null;
  source: string;
  location: string;
  similarity: number;
  confidence: Confidence;
  identity: { id: string | null; faces: number } | null;
  box: Box;
  thumbnailUrl?: string;
}

export interface SearchResult {
  kind?: 'search';
  searchId: string;
  caseNumber: string;
  purpose: string;
  createdAt: string;
  probe: { faces: FaceView[]; selected: number };
  candidates: Candidate[];
  thresholds: { high: number; possible: number };
  decision: 'match' | 'no_confident_match';
  galleryFaces: number;
}

export interface CompareResult {
  kind: 'compare';
  searchId: string;
  caseNumber: string;
  purpose: string;
  createdAt: string;
  similarity: number;
  threshold: number;
  match: boolean;
  faces: { a: FaceView; b: FaceView };
}

export type StoredSearch = (SearchResult | CompareResult) & { actor: string; probeKept: boolean };

export interface SearchSummary {
  searchId: string;
  kind: 'search' | 'compare';
  actor: string;
  createdAt: string;
  caseNumber: string;
  purpose: string;
  galleries: string[];
  resultCount: number;
  topSimilarity: number | null;
  decision: string;
  probeKept: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface GalleryInfo {
  id: string;
  name: string;
  description: string;
  legalBasis: string;
  images: number;
  faces: number;
  identities: number;
  retentionDays: number | null;
  createdAt: string;
  /** Owned by the caller's org, shared with it (search only), or the platform's (platform-admins). */
  relation: 'owned' | 'granted' | 'platform';
  /** Orgs a platform gallery is shared with (platform-admins only). */
  grantedTo?: string[];
}

export interface OrgRow {
  id: string;
  name: string;
  contact: { person?: string; email?: string; phone?: string; address?: string; notes?: string } | null;
  status: 'active' | 'suspended';
  mfaRequired: boolean;
  createdAt: string;
}

export type OptOutState = 'held' | 'confirmed' | 'rejected';

export interface OptOutRequest {
  id: string;
  via: 'public' | 'cli';
  state: OptOutState;
  createdAt: string;
  eraseAfter: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  facesRemoved: number;
  imagesRemoved: number;
}

export interface IngestJob {
  id: string;
  galleryId: string;
  status: 'running' | 'done' | 'failed';
  sourceKind: string;
  /** The uploaded file's name. */
  upload: string;
  createdBy: string;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  progress: {
    itemsDone: number;
    /** Known for zip archives and manifests; null for tar archives. */
    itemsTotal: number | null;
    imagesPerSecond: number | null;
    imagesEnrolled: number;
    facesEnrolled: number;
    duplicates: number;
    noFace: number;
    errors: number;
    /** Faces not enrolled because their person opted out. */
    suppressed: number;
    /** Faces left out by the quality filter, by reason. */
    facesFiltered: Record<string, number>;
  };
  /** Why the whole job stopped, when it failed. */
  failure: string | null;
}

export interface JobDetail extends IngestJob {
  problems: IngestProblem[];
  problemsShown: number;
}

export interface IngestProblem {
  itemKey: string;
  location: string;
  outcome: string;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface UserRow {
  id: string;
  orgId: string | null;
  email: string;
  name: string | null;
  roles: Role[];
  status: 'active' | 'disabled';
  setupPending: boolean;
  mfaEnrolled: boolean;
  /** Set while a sign-in lockout lasts. */
  lockedUntil: string | null;
  failedAttempts: number;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface SetupIssued {
  userId: string;
  /** Shown once. */
  setupToken: string;
  setupLink: string;
  expiresAt: string;
}

export interface ApiKeyRow {
  id: string;
  role: 'investigator' | 'auditor';
  label: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

export interface Limits {
  perMinute: number | null;
  perDay: number | null;
}

export interface QuotaSettings {
  org: Limits;
  userDefault: Limits;
  overrides: { subject: string; limits: Limits }[];
}

export interface Counts {
  totals: { day: string; count: number }[];
  bySubject: { day: string; subject: string; count: number }[];
}

export interface AuditEntry {
  id: string;
  seq: number;
  orgSeq: number | null;
  orgId: string | null;
  actor: string;
  at: string;
  type: string;
  details?: string;
  data?: Record<string, unknown> | null;
  hash: string;
}

export interface VerifyReport {
  ok: boolean;
  scope: 'global' | 'org';
  checked: number;
  head: { seq: number; orgSeq: number | null; hash: string } | null;
  checkpoints: { total: number; trusted: number; latestSeq: number | null; signaturesChecked: boolean };
  firstBad?: { seq?: number; orgSeq?: number | null; id?: string; reason?: string; message?: string };
}

export interface Alert {
  id: string;
  kind: string;
  subject: string;
  day: string;
  triggeredAt: string;
  details: Record<string, unknown>;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}
