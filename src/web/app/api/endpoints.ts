/**
 * Every server path the pages call, in one place, so the UI follows the route table in one edit.
 */
const enc = encodeURIComponent;

export const EP = {
  purposes: '/api/v1/purposes',
  galleries: '/api/v1/galleries',
  gallery: (id: string) => `/api/v1/galleries/${enc(id)}`,
  galleryIngest: (id: string) => `/api/v1/galleries/${enc(id)}/ingest`,
  galleryJobs: (id: string) => `/api/v1/galleries/${enc(id)}/jobs`,
  galleryImages: (id: string) => `/api/v1/galleries/${enc(id)}/images`,
  galleryIdentities: (id: string) => `/api/v1/galleries/${enc(id)}/identities`,
  job: (id: string) => `/api/v1/jobs/${enc(id)}`,
  image: (id: string) => `/api/v1/images/${enc(id)}`,
  identity: (id: string) => `/api/v1/identities/${enc(id)}`,
  users: '/api/v1/users',
  user: (id: string) => `/api/v1/users/${enc(id)}`,
  userUnlock: (id: string) => `/api/v1/users/${enc(id)}/unlock`,
  apiKeys: '/api/v1/api-keys',
  apiKey: (id: string) => `/api/v1/api-keys/${enc(id)}`,
  quotas: '/api/v1/quotas',
  userQuota: (id: string) => `/api/v1/quotas/users/${enc(id)}`,
  counts: '/api/v1/counts',
  org: '/api/v1/org',
  orgRetention: '/api/v1/org/retention',
  audit: '/api/v1/audit',
  auditExport: '/api/v1/audit/export',
  auditVerify: '/api/v1/audit/verify',
  alerts: '/api/v1/alerts',
  alertAck: (id: string) => `/api/v1/alerts/${enc(id)}/ack`,
  optOut: '/api/v1/opt-out',
  optOutStatus: '/api/v1/opt-out/status',
} as const;
