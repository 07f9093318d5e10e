import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { FaceLedgerError } from '../../core/errors.js';
import { AlertWebhook } from './alert-webhook.js';

const NOTICE = { id: 'a1', orgId: 'o1', kind: 'off-hours', at: '2025-03-11T05:00:00.000Z' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

function recorder() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    warnings,
    log: { warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }) },
  };
}

describe('alert webhook', () => {
  it('a receiver that never answers is cut off by the timeout; notify returns at once and nothing throws', async () => {
    let received = 0;
    const server = createServer(() => {
      received++; // and never answers
    });
    const url = await listen(server);
    try {
      const { warnings, log } = recorder();
      const hook = new AlertWebhook({ url, timeoutMs: 200 }, log);
      const started = performance.now();
      hook.notify(NOTICE);
      assert.equal(received, 0, 'notify returns before the request is even sent (fire-and-forget)');
      await hook.drain();
      const waited = performance.now() - started;
      assert.equal(received, 1);
      assert.ok(waited >= 150 && waited < 5000, `gave up after the timeout (${waited} ms)`);
      assert.deepEqual(warnings, [
        { fields: { alertId: 'a1', reason: 'TimeoutError' }, message: 'alert webhook failed' },
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('an error status and a closed port are logged, never thrown, and the log holds no payload', async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const url = await listen(server);
    const { warnings, log } = recorder();
    try {
      const hook = new AlertWebhook({ url }, log);
      hook.notify(NOTICE);
      await hook.drain();
    } finally {
      const closed = new Promise((resolve) => server.once('close', resolve));
      server.closeAllConnections();
      server.close();
      await closed;
    }
    const dead = new AlertWebhook({ url, timeoutMs: 1000 }, log);
    dead.notify(NOTICE);
    await dead.drain();
    assert.deepEqual(
      warnings.map((w) => [w.message, Object.keys(w.fields).sort()]),
      [
        ['alert webhook answered with an error status', ['alertId', 'status']],
        ['alert webhook failed', ['alertId', 'reason']],
      ],
    );
    assert.equal(warnings[0]?.fields.status, 500);
  });

  it('refuses a URL that is not http(s) and an unreasonable timeout', () => {
    const { log } = recorder();
    for (const options of [
      { url: 'not a url' },
      { url: 'file:///etc/passwd' },
      { url: 'http://127.0.0.1/', timeoutMs: 0 },
    ]) {
      assert.throws(
        () => new AlertWebhook(options, log),
        (err) => err instanceof FaceLedgerError && err.code === 'BAD_INPUT',
        JSON.stringify(options),
      );
    }
  });
});
