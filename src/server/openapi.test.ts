/**
 * The served OpenAPI document against the route table the server actually registered: every route is
 * documented under its method, with the action it needs, and every route that takes credentials says
 * it can answer 401 (and 403 when it checks an action), so clients are told before they find out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { routeTableOf } from './route-table-fixture.js';
import { type Harness, startHarness } from './test-harness.js';

let h: Harness;

before(async () => {
  h = await startHarness();
});
after(() => h.close());

type Operation = {
  security?: unknown[];
  responses?: Record<string, unknown>;
  'x-faceledger-action'?: string;
  'x-faceledger-any-action'?: readonly string[];
};

describe('OpenAPI document', () => {
  it('lists every route of the table under its method, and nothing else', async () => {
    const res = await h.call({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200, res.body);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>> };
    assert.equal(doc.openapi, '3.1.0');
    const routes = routeTableOf(h.server);
    assert.ok(routes.length > 0);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const expected = new Set<string>();
    for (const r of routes) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const key = `${r.method} ${path}`;
      expected.add(key);
      assert.ok(documented.has(key), `OpenAPI lacks ${key}`);
      const op = doc.paths[path]?.[r.method.toLowerCase()] as Operation;
      const responses = Object.keys(op.responses ?? {});
      if (r.access.kind === 'public') {
        assert.deepEqual(op.security, [], `${key} is public and says so`);
        continue;
      }
      assert.ok(responses.includes('401'), `${key} needs credentials but does not declare 401`);
      assert.ok((op.security ?? []).length > 0, `${key} declares how to authenticate`);
      if (r.access.kind === 'action') {
        assert.ok(responses.includes('403'), `${key} checks ${r.access.action} but does not declare 403`);
        assert.equal(op['x-faceledger-action'], r.access.action, `${key} names its action`);
      }
      if (r.access.kind === 'anyAction') {
        assert.ok(responses.includes('403'), `${key} checks its actions but does not declare 403`);
        assert.deepEqual(op['x-faceledger-any-action'], r.access.actions, `${key} names its actions`);
      }
    }
    assert.deepEqual(
      [...documented].filter((k) => !expected.has(k)),
      [],
      'the document has no route the server lacks',
    );
  });
});
