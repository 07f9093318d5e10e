/**
 * Encryption at rest, end to end over HTTP: everything a client tells the server — its name and
 * contact, its people's e-mails and names, API key labels, case numbers and purposes, probe photos and
 * selfies — goes in through the real routes carrying unique marker strings (or bytes). Then the raw
 * files of the installation (SQLite database, WAL, shared memory, vector indexes, upload and any
 * other folders, and the key folder) are scanned for every marker in UTF-8/16, hex and base64, and for
 * a 64-byte slice of the probe and selfie photos: none may be there, neither while the server runs
 * nor after it closed. A gallery name, which is not sealed, is the control that proves the scan finds
 * what is stored in plain text.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scanForMarker } from '../crypto/marker-scan-fixture.js';
import { ingestRunnerFor } from '../services/ingest-uploads/ingest-runner.js';
import { freshCode, PASSWORD, platformAdmin } from '../tenancy/test-fixtures.js';
import { totpCode } from '../tenancy/totp.js';
import { lfw } from '../testing/fixtures.js';
import { storedZip } from '../testing/stored-zip.js';
import { jpegFile } from './faceless-photo-fixture.js';
import { type Harness, startHarness } from './test-harness.js';
import { multipartBody } from './test-multipart.js';

const MARKERS = {
  orgName: 'Marker Org Name 7e41',
  contactPerson: 'MARKER-CONTACT-PERSON-a93c',
  contactEmail: 'marker-contact-5b2e@client.example',
  contactPhone: '+44 1632 960 835',
  contactAddress: 'MARKER-CONTACT-ADDRESS-1f6d',
  platformEmail: 'marker-platform-08d4@operator.example',
  adminEmail: 'marker-admin-c7a1@client.example',
  adminName: 'MARKER-ADMIN-NAME-3e9b',
  investigatorEmail: 'marker-investigator-6d20@client.example',
  investigatorName: 'MARKER-INVESTIGATOR-NAME-94af',
  auditorEmail: 'marker-auditor-2b7c@client.example',
  auditorName: 'MARKER-AUDITOR-NAME-e815',
  keyLabel: 'MARKER-KEY-LABEL-70d3',
  unknownEmail: 'marker-nobody-4c1a@client.example',
  caseNumber: 'MARKER-CASE-NUMBER-b52f',
  caseNumberByKey: 'MARKER-CASE-BY-KEY-19e6',
  caseNumberCompare: 'MARKER-CASE-COMPARE-d3a8',
  /** Purposes are configured slugs; this installation offers one that is a marker. */
  purpose: 'marker-purpose-8f0c',
} as const;

/** Not sealed by design (galleries are the installation's, not a client's secret): the scan's control. */
const CONTROL_GALLERY = 'CONTROL-GALLERY-NAME-PLAINTEXT-5a77';

const probe = readFileSync(lfw('George_W_Bush', 3));
const secondPhoto = readFileSync(lfw('George_W_Bush', 4));
const selfie = readFileSync(lfw('Aaron_Eckhart', 1));

/** 64 bytes from the middle of a photo: entropy-coded image data no other file holds by chance. */
function sliceOf(photo: Buffer): Buffer {
  const at = Math.floor(photo.length / 2);
  return photo.subarray(at, at + 64);
}

let h: Harness;
let closed = false;
let searchId: string;

type Send = Parameters<Harness['call']>[0];

async function ok(request: Send, status = 200) {
  const res = await h.call(request);
  assert.equal(res.statusCode, status, `${request.method} ${request.url}: ${res.body}`);
  return res;
}

/** Sets a new account's password with its setup token and signs it in over HTTP (enrolling TOTP if asked). */
async function activateOverHttp(setupToken: string, email: string): Promise<string> {
  await ok({ method: 'POST', url: '/api/v1/setup', payload: { setupToken, password: PASSWORD } });
  const login = (
    await ok({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email, password: PASSWORD, tokenInBody: true },
    })
  ).json();
  if (login.status === 'ok') return login.token as string;
  assert.equal(login.status, 'mfa-enrolment-required');
  const start = (
    await ok({
      method: 'POST',
      url: '/api/v1/session/mfa/enrolment',
      payload: { challenge: login.challenge },
    })
  ).json();
  const done = await ok({
    method: 'POST',
    url: '/api/v1/session/mfa/enrolment/confirm',
    payload: {
      challenge: login.challenge,
      code: totpCode(start.secret, h.clock.now().getTime()),
      tokenInBody: true,
    },
  });
  return done.json().token as string;
}

async function closeApp(): Promise<void> {
  if (closed) return;
  closed = true;
  await ingestRunnerFor(h.app).drain();
  await h.server.close();
  await h.app.close();
}

before(async () => {
  h = await startHarness({ workers: 1, config: { purposes: [MARKERS.purpose, 'other-enquiry'] } });
  // Keep the pages written in the WAL for the live scan (no automatic checkpoint).
  h.app.store.db.pragma('wal_autocheckpoint = 0');

  // The operator's account comes from the CLI (`faceledger admin create`); it signs in over HTTP.
  const platform = await platformAdmin(h.env, MARKERS.platformEmail);
  const challenge = (
    await ok({
      method: 'POST',
      url: '/api/v1/session',
      payload: { email: MARKERS.platformEmail, password: PASSWORD, tokenInBody: true },
    })
  ).json().challenge as string;
  const root = (
    await ok({
      method: 'POST',
      url: '/api/v1/session/mfa',
      payload: { challenge, code: freshCode(h.env, platform.admin), tokenInBody: true },
    })
  ).json().token as string;

  const org = (
    await ok(
      {
        method: 'POST',
        url: '/api/v1/orgs',
        token: root,
        payload: {
          name: MARKERS.orgName,
          contact: {
            person: MARKERS.contactPerson,
            email: MARKERS.contactEmail,
            phone: MARKERS.contactPhone,
            address: MARKERS.contactAddress,
          },
        },
      },
      201,
    )
  ).json();
  const adminSetup = (
    await ok(
      {
        method: 'POST',
        url: `/api/v1/orgs/${org.id}/admins`,
        token: root,
        payload: { email: MARKERS.adminEmail, name: MARKERS.adminName },
      },
      201,
    )
  ).json();
  const admin = await activateOverHttp(adminSetup.setupToken, MARKERS.adminEmail);

  const member = async (email: string, name: string, role: string) => {
    const created = (
      await ok(
        { method: 'POST', url: '/api/v1/users', token: admin, payload: { email, name, roles: [role] } },
        201,
      )
    ).json();
    return activateOverHttp(created.setupToken, email);
  };
  const investigator = await member(MARKERS.investigatorEmail, MARKERS.investigatorName, 'investigator');
  const auditor = await member(MARKERS.auditorEmail, MARKERS.auditorName, 'auditor');
  const key = (
    await ok(
      {
        method: 'POST',
        url: '/api/v1/api-keys',
        token: admin,
        payload: { role: 'investigator', label: MARKERS.keyLabel },
      },
      201,
    )
  ).json().token as string;

  // Failed sign-ins by e-mail, known and unknown, are audited.
  for (const email of [MARKERS.investigatorEmail, MARKERS.unknownEmail])
    await ok(
      { method: 'POST', url: '/api/v1/session', payload: { email, password: 'wrong password!!' } },
      401,
    );

  const gallery = (
    await ok(
      {
        method: 'POST',
        url: '/api/v1/galleries',
        token: admin,
        payload: { name: CONTROL_GALLERY, legalBasis: 'marker scan test set' },
      },
      201,
    )
  ).json().id as string;
  const archive = storedZip([
    { name: 'bush-1.jpg', data: readFileSync(lfw('George_W_Bush', 1)) },
    { name: 'blair-1.jpg', data: readFileSync(lfw('Tony_Blair', 1)) },
  ]);
  const job = (
    await ok(
      {
        method: 'POST',
        url: `/api/v1/galleries/${gallery}/ingest`,
        token: admin,
        ...multipartBody({ archive: { filename: 'set.zip', data: archive, contentType: 'application/zip' } }),
      },
      202,
    )
  ).json().job.id as string;
  await ingestRunnerFor(h.app).drain();
  assert.equal((await ok({ method: 'GET', url: `/api/v1/jobs/${job}`, token: admin })).json().status, 'done');

  const search = async (token: string, caseNumber: string) =>
    (
      await ok(
        {
          method: 'POST',
          url: '/api/v1/searches',
          token,
          ...multipartBody({ caseNumber, purpose: MARKERS.purpose, probe: jpegFile(probe) }),
        },
        201,
      )
    ).json();
  const result = await search(investigator, MARKERS.caseNumber);
  assert.ok(result.candidates.length > 0, 'the search found candidates');
  searchId = result.searchId as string;
  await search(key, MARKERS.caseNumberByKey);
  await ok(
    {
      method: 'POST',
      url: '/api/v1/compare',
      token: investigator,
      ...multipartBody({
        caseNumber: MARKERS.caseNumberCompare,
        purpose: MARKERS.purpose,
        a: jpegFile(probe),
        b: jpegFile(secondPhoto),
      }),
    },
    201,
  );
  await ok(
    { method: 'POST', url: '/api/v1/opt-out', ...multipartBody({ selfie: jpegFile(selfie, 'selfie.jpg') }) },
    201,
  );

  // The server still serves all of it to those entitled: the stored search by its case number, its
  // probe byte for byte, the org's audit log — so the scan below is not passing on data never kept.
  const history = await ok({
    method: 'GET',
    url: `/api/v1/searches?caseNumber=${encodeURIComponent(MARKERS.caseNumber)}`,
    token: auditor,
  });
  assert.deepEqual(
    history.json().items.map((i: { searchId: string; purpose: string }) => [i.searchId, i.purpose]),
    [[searchId, MARKERS.purpose]],
  );
  const kept = await ok({ method: 'GET', url: `/api/v1/searches/${searchId}/probe`, token: investigator });
  assert.ok(kept.rawPayload.equals(probe), 'the probe photo is kept (sealed) and served back as sent');
  await ok({ method: 'GET', url: '/api/v1/audit', token: auditor });
  assert.equal(
    (await ok({ method: 'GET', url: '/api/v1/users', token: admin }))
      .json()
      .users.some((u: { email: string }) => u.email === MARKERS.investigatorEmail),
    true,
  );
});

after(async () => {
  if (!h) return;
  await closeApp();
  rmSync(h.dir, { recursive: true, force: true });
});

const secrets = (): [string, string | Buffer][] => [
  ...Object.entries(MARKERS),
  ['probe photo bytes', sliceOf(probe)],
  ['second compare photo bytes', sliceOf(secondPhoto)],
  ['opt-out selfie bytes', sliceOf(selfie)],
];

/** Every marker found anywhere under the installation's folder (data and keys). */
function leaks(): string[] {
  return secrets().flatMap(([what, secret]) =>
    [...scanForMarker(h.dir, secret).keys()].map((file) => `${what} in ${file}`),
  );
}

describe('marker scan of a running and a closed installation', () => {
  it('finds no marker while the server runs (database, WAL, shm, indexes, uploads, keys)', () => {
    const files = [...scanForMarker(h.dir, Buffer.from('SQLite format 3\0')).keys()];
    assert.ok(files.includes(join('data', 'faceledger.db')), `the database is scanned (${files.join(', ')})`);
    const control = [...scanForMarker(h.dir, CONTROL_GALLERY).keys()];
    assert.ok(control.length > 0, 'the plaintext control (a gallery name) is found, so the scan works');
    assert.deepEqual(leaks(), []);
  });

  it('finds no marker after the app closed and checkpointed the WAL', async () => {
    await closeApp();
    const control = [...scanForMarker(h.dir, CONTROL_GALLERY).keys()];
    assert.ok(
      control.includes(join('data', 'faceledger.db')),
      `control in the database file (${control.join(', ')})`,
    );
    assert.deepEqual(leaks(), []);
  });
});
