/**
 * The authorisation matrix: EVERY route of the table the server registered × every principal
 * (anonymous, platform-admin, org A's org-admin, investigator, auditor and its two API keys) × the
 * resources it aims at (its own org's or the platform's, and org B's for routes that name resources),
 * each a real request. What each cell must answer is derived from the route's `access` rule and
 * `can()` (see matrix/expectations.ts); no answer may carry what the principal must never read (see
 * matrix/markers.ts) or a stack trace, and nothing may answer 5xx. A route without a fixture in
 * matrix/fixtures.ts fails here, naming it, so a new route cannot join the table unwalked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingestRunnerFor } from '../services/ingest-uploads/ingest-runner.js';
import { type Expectation, expectationFor, reachesHandler, statusProblem } from './matrix/expectations.js';
import { type Ask, FIXTURES, type Fixture } from './matrix/fixtures.js';
import { collectMarkers, leakedMarkers, type Markers, markersHiddenFrom } from './matrix/markers.js';
import { PRINCIPAL_KINDS, type Principal, principalsOf } from './matrix/principals.js';
import { Fresh, makeResources, type Owner, type Resources } from './matrix/resources.js';
import type { RouteDef } from './route.js';
import { routeKey, routeTableOf } from './route-table-fixture.js';
import { type Harness, makeWorld, startHarness, type World } from './test-harness.js';
import { multipartBody } from './test-multipart.js';

let h: Harness;
let w: World;
let r: Resources;
let fresh: Fresh;
let principals: Principal[];
let markers: Markers;
let routes: readonly RouteDef[];

before(async () => {
  h = await startHarness({ workers: 1 });
  w = await makeWorld(h);
  r = await makeResources(h, w);
  fresh = new Fresh(h, w);
  principals = principalsOf(h, w);
  markers = collectMarkers(h, w, r);
  routes = routeTableOf(h.server);
});

after(async () => {
  await ingestRunnerFor(h.app).drain();
  await h.close();
});

function pathOf(url: string, params: Record<string, string> = {}): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`the fixture gives no value for :${name} of ${url}`);
    return encodeURIComponent(value);
  });
}

async function send(route: RouteDef, ask: Ask, principal: Principal) {
  const query = ask.query ? `?${new URLSearchParams(ask.query)}` : '';
  const url = pathOf(route.url, ask.params) + query;
  const token = ask.token !== undefined ? ask.token : principal.token;
  let payload: Buffer | string | undefined;
  let headers: Record<string, string> = {};
  let requestText = url;
  if (ask.form) {
    const body = multipartBody(ask.form);
    payload = body.payload;
    headers = body.headers;
    requestText += JSON.stringify(Object.values(ask.form).filter((v) => typeof v === 'string'));
  } else if (ask.json !== undefined) {
    payload = JSON.stringify(ask.json);
    headers = { 'content-type': 'application/json' };
    requestText += payload;
  }
  const res = await h.call({
    method: route.method,
    url,
    token,
    headers,
    ...(payload !== undefined ? { payload } : {}),
    ...(ask.remoteAddress ? { remoteAddress: ask.remoteAddress } : {}),
  });
  return { res, requestText };
}

function errorCodeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

interface Cell {
  principal: Principal;
  owner: Owner;
  expect: Expectation;
}

/** The cells of one route: each principal on its own resources, and on org B's where the route names any. */
function cellsOf(route: RouteDef, fixture: Fixture): Cell[] {
  const crossTenant =
    route.access.kind !== 'public' && (route.params !== undefined || fixture.crossTenant === true);
  return principals.flatMap((principal) => {
    const own: Owner = principal.kind === 'platform-admin' ? 'platform' : 'a';
    const owners: Owner[] = crossTenant ? [own, 'b'] : [own];
    return owners.map((owner) => ({
      principal,
      owner,
      expect: expectationFor(route, fixture, principal, owner, w.b.orgId),
    }));
  });
}

/** Walks one cell; returns what is wrong with the answer, if anything. */
async function walk(route: RouteDef, fixture: Fixture, cell: Cell): Promise<string[]> {
  const { principal, owner, expect } = cell;
  const ask = await fixture.build({ h, w, r, fresh, principal, owner, live: reachesHandler(expect) });
  const { res, requestText } = await send(route, ask, principal);
  const where = `${routeKey(route)} as ${principal.kind} on ${owner}'s resources`;
  const problems: string[] = [];
  const status = statusProblem(expect, res.statusCode, errorCodeOf(res.body));
  if (status) problems.push(`${where}: ${status} — ${res.body.slice(0, 300)}`);
  if (res.statusCode >= 500) problems.push(`${where}: a 5xx answer`);
  if (res.statusCode >= 400 && /\bat .+\.[cm]?[jt]s:\d+|"stack"/.test(res.body))
    problems.push(`${where}: the error carries a stack trace`);
  // Public routes ignore credentials: whoever calls is anonymous to them.
  const reader = route.access.kind === 'public' ? (principals[0] as Principal) : principal;
  const leaked = leakedMarkers(markersHiddenFrom(reader, markers), res.body, requestText);
  if (leaked.length > 0) problems.push(`${where}: the answer (${res.statusCode}) holds ${leaked.join(', ')}`);
  return problems;
}

describe('authorisation matrix', () => {
  it('has a fixture for every route in the table, and none for a route the server lacks', () => {
    assert.deepEqual(
      principals.map((p) => p.kind),
      [...PRINCIPAL_KINDS],
    );
    const keys = routes.map(routeKey);
    const missing = keys.filter((k) => !Object.hasOwn(FIXTURES, k));
    assert.deepEqual(
      missing.map((k) => `add a matrix fixture for ${k}`),
      [],
      `routes without a matrix fixture (src/server/matrix/fixtures.ts):\n${missing.map((k) => `  add a matrix fixture for ${k}`).join('\n')}`,
    );
    const stale = Object.keys(FIXTURES).filter((k) => !keys.includes(k));
    assert.deepEqual(stale, [], 'fixtures for routes the server no longer has');
  });

  it('walks every route × principal × tenant and gets the answer the policy demands', async (t) => {
    let cells = 0;
    for (const route of routes) {
      const key = routeKey(route);
      await t.test(key, async () => {
        const fixture = FIXTURES[key];
        assert.ok(fixture, `add a matrix fixture for ${key} (src/server/matrix/fixtures.ts)`);
        const plan = cellsOf(route, fixture);
        const problems: string[] = [];
        for (const cell of plan) problems.push(...(await walk(route, fixture, cell)));
        cells += plan.length;
        assert.deepEqual(problems, [], problems.join('\n'));
        if (route.access.kind !== 'public') {
          assert.ok(
            plan.some((c) => c.expect.kind === 'served'),
            `${key}: no principal is served, so its rule was never shown to let anyone through`,
          );
        }
      });
    }
    assert.ok(cells >= routes.length * principals.length, `walked ${cells} cells`);
    t.diagnostic(`walked ${cells} cells over ${routes.length} routes`);
  });

  it('leaves every principal signed in (no cell ended a session or key the walk relies on)', async () => {
    for (const p of principals.filter((x) => x.token !== null)) {
      const res = await h.call({ method: 'GET', url: '/api/v1/purposes', token: p.token });
      assert.equal(res.statusCode, 200, `${p.kind}: ${res.body}`);
    }
  });
});
