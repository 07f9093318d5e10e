/**
 * What the authorisation matrix aims at (tests only). Shared resources are made once, through the HTTP
 * API as their owners would make them: a gallery per org and one of the platform's, enrolled photos,
 * finished ingest jobs, case-bound searches by org A's investigator and API key and by org B's
 * investigator. Requests that change or delete something get a fresh one of their own from the
 * factories here, so no cell breaks a later one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '../../core/ids.js';
import { AlertsRepo } from '../../services/alerts/alerts-repo.js';
import { ALERT_KINDS } from '../../services/alerts/index.js';
import { GalleryService } from '../../services/gallery-service.js';
import { IdentityService } from '../../services/identity-service.js';
import { OptOutService } from '../../services/opt-out-service.js';
import { OrgGalleryService } from '../../services/org-gallery-service.js';
import type { Caller } from '../../tenancy/index.js';
import { lfw, lfwFolder } from '../../testing/fixtures.js';
import { storedZip } from '../../testing/stored-zip.js';
import { facelessJpeg, jpegFile } from '../faceless-photo-fixture.js';
import type { Harness, World } from '../test-harness.js';
import { type FormFile, multipartBody } from '../test-multipart.js';

/** Whose resources a request aims at: org A's, org B's, or the platform's (no org). */
export type Owner = 'a' | 'b' | 'platform';
export type OrgOwner = 'a' | 'b';

export interface OrgResources {
  galleryId: string;
  galleryName: string;
  jobId: string;
  faceId: string;
  imageId: string;
  /** Searches by the org's investigator (user) and, for org A, by its investigator API key. */
  searchByInvestigator: string;
  searchByKey: string | null;
  caseNumbers: string[];
}

export interface Resources {
  purpose: string;
  /** The confirmation code of an opt-out made in the set-up. */
  optOutCode: string;
  a: OrgResources;
  b: OrgResources;
  platform: { galleryId: string; galleryName: string; jobId: string };
}

type Send = Harness['call'];

function sendForm(call: Send, url: string, token: string | null, form: Record<string, string | FormFile>) {
  return call({ method: 'POST', url, token, ...multipartBody(form) });
}

async function createGallery(call: Send, token: string, name: string): Promise<string> {
  const res = await call({
    method: 'POST',
    url: '/api/v1/galleries',
    token,
    payload: { name, legalBasis: 'authorisation matrix test set' },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

/** Uploads a zip of photos for ingest and waits for the job to end; returns the job id. */
export async function ingestAndWait(
  h: Harness,
  token: string,
  galleryId: string,
  photos: Record<string, Buffer>,
): Promise<string> {
  const members = Object.entries(photos).map(([name, data]) => ({ name, data }));
  const res = await sendForm(h.call, `/api/v1/galleries/${galleryId}/ingest`, token, {
    archive: { data: storedZip(members), filename: 'photos.zip', contentType: 'application/zip' },
  });
  assert.equal(res.statusCode, 202, res.body);
  const jobId = res.json().job.id as string;
  for (let i = 0; i < 600; i++) {
    const job = await h.call({ method: 'GET', url: `/api/v1/jobs/${jobId}`, token });
    assert.equal(job.statusCode, 200, job.body);
    if (job.json().status !== 'running') {
      assert.equal(job.json().status, 'done', job.body);
      return jobId;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`ingest job ${jobId} did not finish`);
}

async function firstFace(h: Harness, token: string, galleryId: string) {
  const res = await h.call({ method: 'GET', url: `/api/v1/galleries/${galleryId}/images`, token });
  assert.equal(res.statusCode, 200, res.body);
  const image = (res.json().images as { id: string; faces: { id: string }[] }[]).find((i) => i.faces.length);
  assert.ok(image?.faces[0], 'an enrolled face');
  return { imageId: image.id, faceId: image.faces[0].id };
}

async function caseSearch(
  h: Harness,
  token: string,
  galleryId: string,
  caseNumber: string,
  purpose: string,
): Promise<string> {
  const res = await sendForm(h.call, '/api/v1/searches', token, {
    caseNumber,
    purpose,
    galleries: galleryId,
    probe: jpegFile(readFileSync(lfw('George_W_Bush', 3))),
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().searchId as string;
}

export async function makeResources(h: Harness, w: World): Promise<Resources> {
  const purposes = await h.call({ method: 'GET', url: '/api/v1/purposes', token: w.a.investigator.token });
  assert.equal(purposes.statusCode, 200, purposes.body);
  const purpose = purposes.json().purposes[0] as string;
  const photos = {
    'bush-1.jpg': readFileSync(lfw('George_W_Bush', 1)),
    'blair-1.jpg': readFileSync(lfw('Tony_Blair', 1)),
  };

  const org = async (which: OrgOwner, name: string): Promise<OrgResources> => {
    const world = w[which];
    const galleryName = `${name} matrix gallery`;
    const galleryId = await createGallery(h.call, world.admin.token, galleryName);
    const jobId = await ingestAndWait(h, world.admin.token, galleryId, photos);
    const { imageId, faceId } = await firstFace(h, world.admin.token, galleryId);
    const caseNumbers = [`CASE-${which.toUpperCase()}-${newId().slice(-6)}`];
    const searchByInvestigator = await caseSearch(
      h,
      world.investigator.token,
      galleryId,
      caseNumbers[0] as string,
      purpose,
    );
    let searchByKey: string | null = null;
    if (which === 'a') {
      caseNumbers.push(`CASE-AK-${newId().slice(-6)}`);
      searchByKey = await caseSearch(h, world.investigatorKey, galleryId, caseNumbers[1] as string, purpose);
    }
    return { galleryId, galleryName, jobId, faceId, imageId, searchByInvestigator, searchByKey, caseNumbers };
  };

  const a = await org('a', 'Harbour Police');
  const b = await org('b', 'Inland Revenue');
  const optOut = await sendForm(h.call, '/api/v1/opt-out', null, {
    selfie: jpegFile(readFileSync(lfw('Aaron_Eckhart', 1)), 'selfie.jpg'),
  });
  assert.equal(optOut.statusCode, 201, optOut.body);
  const platformGalleryName = 'Platform matrix gallery';
  const platformGallery = await createGallery(h.call, w.platform.token, platformGalleryName);
  const platformJob = await ingestAndWait(h, w.platform.token, platformGallery, {
    'blank.jpg': await facelessJpeg(),
  });
  return {
    purpose,
    optOutCode: optOut.json().confirmationCode as string,
    a,
    b,
    platform: { galleryId: platformGallery, galleryName: platformGalleryName, jobId: platformJob },
  };
}

export interface EnrolledGallery {
  galleryId: string;
  imageId: string;
  faceId: string;
  identityId: string;
}

/** Factories for resources a single request may change or delete. */
export class Fresh {
  #n = 0;
  #photos: string | undefined;

  constructor(
    private readonly h: Harness,
    private readonly w: World,
  ) {}

  callerOf(owner: Owner): Caller {
    return owner === 'platform' ? this.w.platform.caller : this.adminCaller(owner);
  }

  /** A new gallery of the owner with two photos of one person enrolled and grouped into an identity. */
  async enrolledGallery(owner: Owner): Promise<EnrolledGallery> {
    const caller = this.callerOf(owner);
    this.#photos ??= (() => {
      const dir = join(this.h.dir, 'matrix-photos');
      mkdirSync(dir, { recursive: true });
      lfwFolder(dir, { George_W_Bush: [1, 2] });
      return dir;
    })();
    const { id: galleryId } = new OrgGalleryService(this.h.app).create(caller, {
      name: `fresh ${owner} gallery ${++this.#n}`,
      legalBasis: 'matrix test',
    });
    await new GalleryService(this.h.app).ingest({
      gallery: galleryId,
      source: this.#photos,
      createdBy: caller.actor,
    });
    await new IdentityService(this.h.app).buildGallery(galleryId);
    const image = this.h.app.store.images.page(galleryId, 1, 0)[0];
    const face = image?.faces[0];
    const identity = this.h.app.store.identities.list(galleryId, 1, 0)[0];
    assert.ok(image && face && identity, 'the fresh gallery holds an image, a face and an identity');
    return { galleryId, imageId: image.id, faceId: face.id, identityId: identity.id };
  }

  adminCaller(owner: OrgOwner): Caller {
    return this.w[owner].fixture.adminCaller;
  }

  orgId(owner: Owner): string {
    return this.w[owner === 'platform' ? 'a' : owner].orgId;
  }

  /** A user of the owner's directory: an investigator of the org, or another platform account. */
  user(owner: Owner): string {
    const n = ++this.#n;
    if (owner === 'platform')
      return this.h.app.tenancy.createPlatformAdmin({
        email: `fresh-root-${n}@platform.example`,
        actor: 'cli:test',
      }).userId;
    return this.h.app.tenancy
      .forCaller(this.adminCaller(owner))
      .users.create({ email: `fresh-${owner}-${n}@matrix.example`, name: null, roles: ['investigator'] })
      .userId;
  }

  apiKey(owner: OrgOwner): string {
    return this.h.app.tenancy
      .forCaller(this.adminCaller(owner))
      .apiKeys.create({ role: 'auditor', label: `fresh ${++this.#n}` }).key.id;
  }

  org(): string {
    return this.h.app.tenancy
      .forPlatform(this.w.platform.caller)
      .orgs.create({ name: `Fresh Org ${newId()}`, contact: null }).id;
  }

  /** A platform gallery, optionally already shared with an org. */
  platformGallery(grantedTo?: string): string {
    const gallery = new OrgGalleryService(this.h.app).create(this.w.platform.caller, {
      name: `fresh platform gallery ${++this.#n}`,
      legalBasis: 'matrix test',
    });
    if (grantedTo)
      this.h.app.tenancy.forPlatform(this.w.platform.caller).galleries.grant(gallery.id, grantedTo);
    return gallery.id;
  }

  /** A held opt-out request, as the public page makes one (its id). */
  async heldOptOut(): Promise<string> {
    const service = new OptOutService(this.h.app);
    await service.submit({ selfie: readFileSync(lfw('Aaron_Eckhart', 1)), via: 'public' });
    const [newest] = service.list('held', 1).items;
    assert.ok(newest);
    return newest.id;
  }

  /** An open alert of the org (as the alert rules would raise one). */
  alert(owner: OrgOwner): string {
    const at = this.h.app.clock.now().toISOString();
    const id = newId();
    const inserted = new AlertsRepo(this.h.app.store.db).insert({
      id,
      orgId: this.w[owner].orgId,
      kind: ALERT_KINDS[0],
      subject: `user:${newId()}`,
      day: at.slice(0, 10),
      triggeredAt: at,
      createdAt: at,
      details: {},
      acknowledgedAt: null,
      acknowledgedBy: null,
    });
    assert.ok(inserted);
    return id;
  }
}
