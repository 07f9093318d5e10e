import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUDIT_DETAIL_SCHEMAS,
  AUDIT_EVENT_TYPES,
  actor,
  parseAuditEvent,
  readDetails,
} from './audit-event.js';
import { searchEvent } from './audit-fixtures.js';
import { canonicalJson } from './canonical.js';

describe('audit events', () => {
  it('has a details schema for every event type', () => {
    assert.deepEqual(Object.keys(AUDIT_DETAIL_SCHEMAS).sort(), [...AUDIT_EVENT_TYPES].sort());
  });

  it('accepts a search with its case, purpose, galleries, probe hash and results', () => {
    const parsed = parseAuditEvent(searchEvent('org-alpha', 3));
    assert.equal(parsed.type, 'search.run');
    if (parsed.type === 'search.run') assert.equal(parsed.details.caseNumber, 'CASE-1003');
  });

  it('refuses unknown detail keys, so nothing slips into the permanent log by accident', () => {
    const event = searchEvent('org-alpha', 1);
    assert.throws(
      () => parseAuditEvent({ ...event, details: { ...event.details, probeImage: 'base64…' } }),
      (err: Error & { code?: string }) =>
        err.code === 'BAD_INPUT' && /details/.test(err.message) && !/base64/.test(err.message),
    );
  });

  it('requires an org for searches, allows platform events without one', () => {
    assert.throws(() => parseAuditEvent({ ...searchEvent('org-alpha', 1), orgId: null }), {
      code: 'BAD_INPUT',
    });
    parseAuditEvent({
      type: 'config.changed',
      orgId: null,
      actor: actor.cli('root'),
      details: { changes: [{ key: 'x' }] },
    });
  });

  it('accepts user:, apikey:, cli: and system actors only', () => {
    for (const ok of [actor.user('u1'), actor.apiKey('k1'), actor.cli('alice'), actor.system]) {
      parseAuditEvent({ ...searchEvent('o', 1), actor: ok });
    }
    for (const bad of ['u1', 'user:', 'user:a b', 'root', '']) {
      assert.throws(
        () => parseAuditEvent({ ...searchEvent('o', 1), actor: bad }),
        { code: 'BAD_INPUT' },
        bad,
      );
    }
  });

  it('refuses a malformed probe hash and an out-of-range similarity', () => {
    const event = searchEvent('o', 1);
    assert.throws(() => parseAuditEvent({ ...event, details: { ...event.details, probeSha256: 'ABC' } }), {
      code: 'BAD_INPUT',
    });
    assert.throws(() => parseAuditEvent({ ...event, details: { ...event.details, topSimilarity: 1.5 } }), {
      code: 'BAD_INPUT',
    });
  });

  it('reads plain details back typed, and leaves sealed ones sealed', () => {
    const event = searchEvent('o', 2);
    const plain = readDetails({ type: 'search.run', details: canonicalJson(event.details) });
    assert.equal(plain.sealed, false);
    if (!plain.sealed) assert.equal(plain.details.resultCount, 2);
    assert.deepEqual(readDetails({ type: 'search.run', details: 'v1.1.AAAA' }), {
      sealed: true,
      text: 'v1.1.AAAA',
    });
  });
});
