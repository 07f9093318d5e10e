import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD } from '../tenancy/test-fixtures.js';
import { type Harness, makeWorld, startHarness, type World } from './test-harness.js';

let h: Harness;
let w: World;

before(async () => {
  h = await startHarness();
  w = await makeWorld(h);
});
after(() => h.close());

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw : [raw]).find((c) => String(c).startsWith('fl_session='));
  assert.ok(line, 'a session cookie was set');
  return String(line);
}

function assertCleanError(res: { statusCode: number; body: string }, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string } };
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  assert.ok(body.error.requestId.length > 0);
  assert.doesNotMatch(res.body, /\bat .+\.js:\d+|stack/i, 'no stack trace');
}

describe('server core', () => {
  it('answers health, readiness, metrics and an OpenAPI 3.1 document built from the route table', async () => {
    assert.equal((await h.call({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const ready = await h.call({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json().status, 'ready');
    const doc = (await h.call({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/session'].post.requestBody, 'login documents its body');
    assert.deepEqual(doc.paths['/api/v1/session'].post.security, []);
    const metrics = await h.call({ method: 'GET', url: '/metrics' });
    assert.match(
      metrics.body,
      /faceledger_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
    assert.match(metrics.body, /faceledger_index_faces 0/);
  });

  it('signs in with an HttpOnly SameSite=Strict cookie and demands the CSRF token on changes', async () => {
    const login = await h.call({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: w.a.investigator.email, password: PASSWORD },
    });
    assert.equal(login.statusCode, 200, login.body);
    const body = login.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.token, undefined, 'the token stays in the HttpOnly cookie');
    const cookie = cookieOf(login);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const jar = cookie.split(';')[0] as string;
    const me = await h.call({ method: 'GET', url: '/api/v1/session', headers: { cookie: jar } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.email, w.a.investigator.email);
    assert.equal(me.json().csrfToken, body.csrfToken);
    assertCleanError(
      await h.call({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: jar } }),
      403,
      'FORBIDDEN',
    );
    const out = await h.call({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { cookie: jar, 'x-csrf-token': body.csrfToken },
    });
    assert.equal(out.statusCode, 204);
    assertCleanError(
      await h.call({ method: 'GET', url: '/api/v1/session', headers: { cookie: jar } }),
      401,
      'UNAUTHENTICATED',
    );
  });

  it('ends a session after 30 idle minutes with a clear message', async () => {
    const login = await h.call({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: w.a.investigator.email, password: PASSWORD, tokenInBody: true },
    });
    const token = login.json().token as string;
    assert.equal((await h.call({ method: 'GET', url: '/api/v1/session', token })).statusCode, 200);
    h.clock.advance(31 * 60);
    const res = await h.call({ method: 'GET', url: '/api/v1/session', token });
    assertCleanError(res, 401, 'UNAUTHENTICATED');
    assert.match(res.json().error.message, /30 minutes/);
  });

  it('locks an account after 5 failed attempts: 423 with Retry-After, even with the right password', async () => {
    const email = w.b.investigator.email;
    for (let i = 0; i < 5; i++) {
      const res = await h.call({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email, password: `wrong-${i}` },
      });
      // The fifth failure is the one that locks, and says so.
      if (i < 4) assertCleanError(res, 401, 'UNAUTHENTICATED');
      else assertCleanError(res, 423, 'LOCKED');
    }
    const locked = await h.call({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email, password: PASSWORD },
    });
    assertCleanError(locked, 423, 'LOCKED');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    assert.match(locked.json().error.message, /locked/);
  });

  it('refuses malformed requests with a 4xx and a clear error, never a 5xx or a stack trace', async () => {
    const url = '/api/v1/session';
    assertCleanError(
      await h.call({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '{"email": ',
      }),
      400,
      'BAD_INPUT',
    );
    assertCleanError(
      await h.call({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: 'hello' }),
      415,
      'UNSUPPORTED_TYPE',
    );
    assertCleanError(await h.call({ method: 'POST', url, payload: { email: 'x@y.z' } }), 400, 'BAD_INPUT');
    assertCleanError(
      await h.call({ method: 'POST', url, payload: { email: 'a@b.c', password: 'p', admin: true } }),
      400,
      'BAD_INPUT',
    );
    const huge = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) });
    assertCleanError(
      await h.call({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: huge }),
      413,
      'TOO_LARGE',
    );
    assertCleanError(await h.call({ method: 'GET', url: '/api/v1/nothing-here' }), 404, 'NOT_FOUND');
    assertCleanError(
      await h.call({ method: 'GET', url: '/api/v1/session', headers: { authorization: 'Basic abc' } }),
      401,
      'UNAUTHENTICATED',
    );
    assertCleanError(
      await h.call({ method: 'GET', url: '/api/v1/session', token: 'fls_forged' }),
      401,
      'UNAUTHENTICATED',
    );
  });
});
