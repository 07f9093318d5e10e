import { FaceLedgerError } from '../../core/errors.js';
import { formatBytes } from './names.js';
import { assertPublicHost } from './net-guard.js';
import { concat } from './read-bytes.js';
import type { FetchOptions } from './source-item.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface FetchDependencies {
  /** Name resolution for the SSRF guard (tests can pin it). */
  resolveHost?: (host: string) => Promise<string[]>;
}

/**
 * Fetches one operator-supplied image URL — that URL only: the body is never parsed for links. http and
 * https only; redirects are followed by hand (at most `maxRedirects`, each hop's URL and host checked
 * again, loops refused); one timeout covers name resolution, every hop and the body; the body is capped
 * while it streams; the answer must be 2xx with an `image/*` or `application/octet-stream` type.
 *
 * Codes: BAD_INPUT (bad URL, refused host, redirect trouble), NOT_FOUND (unreachable, timeout, non-2xx),
 * UNSUPPORTED_TYPE (content type), TOO_LARGE (body over `maxBytes`).
 */
export async function fetchImage(
  url: string,
  options: FetchOptions,
  deps: FetchDependencies = {},
): Promise<Uint8Array> {
  const controller = new AbortController();
  const timeout = new FaceLedgerError(
    'NOT_FOUND',
    `Fetching ${url} took longer than ${options.timeoutMs} ms; gave up.`,
  );
  const timer = setTimeout(() => controller.abort(timeout), options.timeoutMs);
  const { signal } = controller;
  try {
    let current = checkUrl(url, url);
    const visited = new Set<string>();
    for (let hop = 0; ; hop++) {
      visited.add(current.href);
      if (!options.allowPrivateNetworks) {
        await untilAborted(assertPublicHost(current.hostname, deps.resolveHost), signal);
      }
      let response: Response;
      try {
        response = await fetch(current, {
          redirect: 'manual',
          signal,
          headers: { accept: 'image/*', 'user-agent': 'FaceLedger (operator-supplied manifest)' },
        });
      } catch (err) {
        if (signal.aborted) throw timeout;
        throw new FaceLedgerError('NOT_FOUND', `${current.href} cannot be fetched: ${describe(err)}.`, {
          cause: err,
        });
      }
      if (REDIRECTS.has(response.status)) {
        await response.body?.cancel().catch(() => {});
        const location = response.headers.get('location');
        if (!location) {
          throw new FaceLedgerError(
            'BAD_INPUT',
            `${current.href} redirects (HTTP ${response.status}) without a Location.`,
          );
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new FaceLedgerError(
            'BAD_INPUT',
            `${current.href} redirects to an invalid URL ${JSON.stringify(location)}.`,
          );
        }
        next = checkUrl(next.href, url);
        if (visited.has(next.href)) {
          throw new FaceLedgerError('BAD_INPUT', `${url} redirects in a loop (back to ${next.href}).`);
        }
        if (hop >= options.maxRedirects) {
          throw new FaceLedgerError('BAD_INPUT', `${url} redirects more than ${options.maxRedirects} times.`);
        }
        current = next;
        continue;
      }
      return await readImageBody(response, current.href, options.maxBytes, signal, timeout);
    }
  } finally {
    clearTimeout(timer);
  }
}

async function readImageBody(
  response: Response,
  where: string,
  maxBytes: number,
  signal: AbortSignal,
  timeout: FaceLedgerError,
): Promise<Uint8Array> {
  const refuse = async (error: FaceLedgerError): Promise<never> => {
    await response.body?.cancel().catch(() => {});
    throw error;
  };
  if (response.status < 200 || response.status > 299) {
    return refuse(new FaceLedgerError('NOT_FOUND', `${where} answered HTTP ${response.status}.`));
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!type.startsWith('image/') && type !== 'application/octet-stream') {
    return refuse(
      new FaceLedgerError(
        'UNSUPPORTED_TYPE',
        `${where} is ${type ? `"${type}"` : 'of no declared type'}, not an image.`,
      ),
    );
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    return refuse(tooBig(where, declared, maxBytes, false));
  }
  const body = response.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooBig(where, length, maxBytes, true);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FaceLedgerError) throw err;
    if (signal.aborted) throw timeout;
    throw new FaceLedgerError('NOT_FOUND', `${where} broke off while downloading: ${describe(err)}.`, {
      cause: err,
    });
  }
  return concat(chunks, length);
}

function tooBig(where: string, size: number, maxBytes: number, streamed: boolean): FaceLedgerError {
  return new FaceLedgerError(
    'TOO_LARGE',
    streamed
      ? `${where} sent more than ${formatBytes(maxBytes)}, the limit; the download was stopped.`
      : `${where} declares ${formatBytes(size)}; the limit is ${formatBytes(maxBytes)}.`,
  );
}

/** http(s), no credentials; anything else is BAD_INPUT naming the URL the operator supplied. */
function checkUrl(href: string, original: string): URL {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new FaceLedgerError('BAD_INPUT', `${JSON.stringify(href)} is not a valid URL.`);
  }
  const via = href === original ? '' : ` (reached from ${original})`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FaceLedgerError('BAD_INPUT', `${url.href}${via} is not an http or https URL.`);
  }
  if (url.username || url.password) {
    throw new FaceLedgerError('BAD_INPUT', `${url.origin}${via} carries a user name or password; refused.`);
  }
  return url;
}

/** DNS lookups cannot be cancelled; this at least stops waiting for them when the timeout fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
