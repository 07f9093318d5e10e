/**
 * The one way the UI talks to the server: JSON or multipart in, JSON out, errors as `ApiError` with the
 * server's code and message. Cookie sessions must echo the CSRF token on changes, so it is kept here
 * (in memory only — never in storage a script injection could read later).
 */

export interface ErrorBody {
  error: { code: string; message: string; requestId?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let csrfHeader = 'x-csrf-token';
let sessionLost: ((err: ApiError) => void) | null = null;

export function setCsrf(token: string | null, header?: string): void {
  csrfToken = token;
  if (header) csrfHeader = header;
}

/** Called when a signed-in request comes back 401: the session expired, went idle or was ended. */
export function onSessionLost(handler: (err: ApiError) => void): void {
  sessionLost = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export function withQuery(url: string, query?: Query): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${url}?${text}` : url;
}

interface RequestOptions {
  query?: Query;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** Public routes (login, opt-out): a 401 there is an answer, not a lost session. */
  anonymous?: boolean;
}

async function errorOf(response: Response): Promise<ApiError> {
  const retry = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  try {
    const body = (await response.json()) as Partial<ErrorBody>;
    if (body.error?.code)
      return new ApiError(
        response.status,
        body.error.code,
        body.error.message,
        body.error.requestId ?? null,
        retryAfter,
      );
  } catch {
    // not JSON: fall through to a generic message
  }
  return new ApiError(
    response.status,
    'HTTP',
    `the server answered ${response.status} ${response.statusText}`,
    null,
    retryAfter,
  );
}

export async function request<T>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) body = options.form;
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers[csrfHeader] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(url, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached; check the connection and try again');
  }
  if (!response.ok) {
    const err = await errorOf(response);
    if (err.status === 401 && !options.anonymous) sessionLost?.(err);
    throw err;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) return (await response.json()) as T;
  return (await response.text()) as T;
}

export const api = {
  get: <T>(url: string, query?: Query, signal?: AbortSignal) =>
    request<T>('GET', url, { ...(query ? { query } : {}), ...(signal ? { signal } : {}) }),
  post: <T>(url: string, json?: unknown, anonymous = false) =>
    request<T>('POST', url, { json: json ?? {}, anonymous }),
  put: <T>(url: string, json?: unknown) => request<T>('PUT', url, { json: json ?? {} }),
  patch: <T>(url: string, json?: unknown) => request<T>('PATCH', url, { json: json ?? {} }),
  del: <T>(url: string, json?: unknown) => request<T>('DELETE', url, json === undefined ? {} : { json }),
  upload: <T>(url: string, form: FormData, anonymous = false) => request<T>('POST', url, { form, anonymous }),
};

/** A message a person can act on, for any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'QUOTA' && err.retryAfterSeconds && !/try again/i.test(err.message))
      return `${err.message} (try again in ${formatWait(err.retryAfterSeconds)})`;
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
