/**
 * The JSON shapes the UI reads, taken from the server's own route schemas: `openapi.d.ts` is generated
 * from the OpenAPI document the server serves (`npm run gen:api-types`), and each name here picks one
 * route's answer out of it. A route whose answer changes shape breaks the web type check, not a page
 * at run time.
 */
import type { paths } from './openapi.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Success<R> = R extends { 200: infer S }
  ? S
  : R extends { 201: infer S }
    ? S
    : R extends { 202: infer S }
      ? S
      : never;

/** The JSON body a route answers with on success (200, 201 or 202). */
export type Answer<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? JsonOf<Success<R>>
  : never;

/** One element of an array type. */
type Item<A> = A extends readonly (infer I)[] ? I : never;

export type WhoAmI = Answer<'/api/v1/session', 'get'>;
export type SessionUser = WhoAmI['user'];
export type Role = SessionUser['roles'][number];

type SignInAnswer = Answer<'/api/v1/session', 'post'>;
/** Signed in (after the password, or after the second factor). */
export type SessionOk = Extract<SignInAnswer | Answer<'/api/v1/session/mfa', 'post'>, { status: 'ok' }>;
/** The password was right; a second factor (or its enrolment) comes next. */
export type SessionStep = Exclude<SignInAnswer, { status: 'ok' }>;

export type MfaEnrolment = Answer<'/api/v1/me/mfa', 'post'>;

export type SearchResult = Answer<'/api/v1/searches', 'post'>;
export type CompareResult = Answer<'/api/v1/compare', 'post'>;
export type StoredSearch = Answer<'/api/v1/searches/{id}', 'get'>;
export type SearchHistoryPage = Answer<'/api/v1/searches', 'get'>;
export type SearchSummary = Item<SearchHistoryPage['items']>;
export type Candidate = Item<SearchResult['candidates']>;
export type Confidence = Candidate['confidence'];
export type FaceView = Item<SearchResult['probe']['faces']>;

export type GalleryInfo = Item<Answer<'/api/v1/galleries', 'get'>['galleries']>;
export type IngestJob = Answer<'/api/v1/galleries/{id}/ingest', 'post'>['job'];
export type JobDetail = Answer<'/api/v1/jobs/{id}', 'get'>;
export type IngestProblem = Item<JobDetail['problems']>;

export type OrgRow = Item<Answer<'/api/v1/orgs', 'get'>['orgs']>;
export type OptOutRequest = Item<Answer<'/api/v1/opt-outs', 'get'>['items']>;
export type OptOutState = OptOutRequest['state'];

export type UserRow = Item<Answer<'/api/v1/users', 'get'>['users']>;
export type SetupIssued = Answer<'/api/v1/users/{id}/reset', 'post'>;
export type ApiKeyRow = Item<Answer<'/api/v1/api-keys', 'get'>['keys']>;
export type QuotaSettings = Answer<'/api/v1/quotas', 'get'>;
export type Limits = QuotaSettings['org'];
export type Counts = Answer<'/api/v1/counts', 'get'>;

export type AuditEntry = Item<Answer<'/api/v1/audit', 'get'>['entries']>;
export type VerifyReport = Answer<'/api/v1/audit/verify', 'get'>;
