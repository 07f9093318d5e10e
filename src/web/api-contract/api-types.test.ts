/**
 * The web app's API types are the server's: the committed `src/web/app/api/openapi.d.ts` must be what
 * the route table generates today. A route whose schema changed without regenerating fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { API_TYPES_PATH, renderApiTypes, servedOpenApiDocument } from './api-types.js';

describe('the web app’s generated API types', () => {
  it('match the OpenAPI document the server serves (else: npm run gen:api-types)', async () => {
    const expected = await renderApiTypes(await servedOpenApiDocument());
    const committed = readFileSync(API_TYPES_PATH, 'utf8');
    assert.ok(
      committed === expected,
      `${API_TYPES_PATH} is stale: the server's routes changed. Run "npm run gen:api-types" and commit it.`,
    );
  });

  it('carry the shapes the pages rely on', async () => {
    const text = await renderApiTypes(await servedOpenApiDocument());
    // A face box is a 4-tuple and landmarks are [x, y] pairs, not loose arrays.
    assert.match(text, /box: \[\s*number,\s*number,\s*number,\s*number\s*\]/);
    assert.match(text, /"\/api\/v1\/opt-outs\/\{id\}\/reject"/);
  });
});
