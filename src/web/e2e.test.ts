/**
 * The web UI end to end, in Debian's Chromium against a real server (real models, real SQLite, real
 * LFW photos): sign-in with and without a second factor, a case-bound search that finds the right
 * person at rank 1 and opens the comparison, the UI refusing a search without a case number, role
 * limits on pages, an archive ingest watched to 100 %, the auditor's view, the public opt-out, and the
 * lockout and idle-session messages. Screenshots of each main page go to test-results/web/, and each
 * of those pages must pass axe-core's WCAG 2.1 A/AA rules with no serious or critical finding.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { encode } from 'uqr';
import { projectRoot } from '../core/project-paths.js';
import { type Harness, makeWorld, startHarness, type World } from '../server/test-harness.js';
import { GalleryService } from '../services/gallery-service.js';
import { OptOutService } from '../services/opt-out-service.js';
import { OrgGalleryService } from '../services/org-gallery-service.js';
import { freshCode, PASSWORD } from '../tenancy/test-fixtures.js';
import { totpCode } from '../tenancy/totp.js';
import { crowd, lfw } from '../testing/fixtures.js';
import { storedZip } from '../testing/stored-zip.js';
import { accessibilityProblems } from './e2e/accessibility.js';
import { launchChromium } from './e2e/browser.js';

const WEB_ROOT = join(projectRoot(), 'dist', 'web');
const SHOTS = join(projectRoot(), 'test-results', 'web');

/** Gallery of org A: one photo per person (two of Tony Blair), with subject ids and source links. */
const GALLERY_PEOPLE: readonly [string, number][] = [
  ['Tony_Blair', 1],
  ['Tony_Blair', 3],
  ['Colin_Powell', 1],
  ['George_W_Bush', 1],
  ['Gerhard_Schroeder', 1],
  ['Donald_Rumsfeld', 1],
  ['Jacques_Chirac', 1],
  ['Hugo_Chavez', 1],
];
const PROBE = lfw('Tony_Blair', 2);
const UPLOAD_PEOPLE = ['Ariel_Sharon', 'John_Ashcroft', 'Jean_Chretien', 'Serena_Williams'];

/** Expressions run in the page (as text: this file is compiled for Node, without the DOM's types). */
const IN_BROWSER = {
  /** A face-crop canvas holds a picture, not a blank canvas. */
  cropDrawn: (testId: string) => `(() => {
    const c = document.querySelector('[data-testid=${testId}]');
    const d = c && c.getContext('2d').getImageData(100, 100, 40, 40).data;
    return !!d && d.some((v, i) => i % 4 !== 3 && v > 20);
  })()`,
  sidewaysOverflow: 'document.documentElement.scrollWidth - window.innerWidth',
  focusedClass: 'document.activeElement?.className',
  /** Hands a photo to the page as a drop on the drop zone, or as a paste, like a person would. */
  give: (how: 'drop' | 'paste', path: string) => `(() => {
    const bytes = Uint8Array.from(atob(${JSON.stringify(readFileSync(path).toString('base64'))}), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'probe.jpg', { type: 'image/jpeg' }));
    ${
      how === 'drop'
        ? "document.querySelector('[data-testid=dropzone]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));"
        : "document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));"
    }
  })()`,
};

/**
 * Waits until a page expression is truthy, polling from Node. Playwright's waitForFunction polls a
 * text predicate with eval inside the page, which the app's CSP (script-src 'self') refuses once the
 * first check fails; page.evaluate goes through the DevTools protocol, which CSP does not govern.
 */
async function waitUntil(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await page.waitForTimeout(50);
  }
}

describe('web UI in Chromium', { timeout: 180_000 }, () => {
  let h: Harness;
  let world: World;
  let base: string;
  let browser: Browser;
  let work: string;
  const contexts: BrowserContext[] = [];

  async function newPage(viewport = { width: 1280, height: 860 }): Promise<Page> {
    const context = await browser.newContext({ viewport, baseURL: base });
    contexts.push(context);
    return context.newPage();
  }

  /** A screenshot of a main page, which must also pass the automated accessibility check. */
  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    assert.deepEqual(await accessibilityProblems(page), [], `accessibility findings on ${name}`);
  }

  async function signIn(page: Page, email: string, code?: () => string): Promise<void> {
    await page.goto('/');
    await page.fill('#login-email', email);
    await page.fill('#login-password', PASSWORD);
    await page.click('form[aria-label="Sign in"] button[type=submit]');
    if (code) {
      await page.waitForSelector('#login-code');
      await page.fill('#login-code', code());
      await page.click('form[aria-label="Second factor"] button[type=submit]');
    }
    await page.waitForSelector('header.topbar');
  }

  before(async () => {
    assert.ok(
      existsSync(join(WEB_ROOT, 'index.html')),
      `the built UI is missing at ${WEB_ROOT}: run "npm run build" (or "npm run build:web") first`,
    );
    browser = await launchChromium();
    rmSync(SHOTS, { recursive: true, force: true }); // only this run's pictures
    mkdirSync(SHOTS, { recursive: true });
    work = join(tmpdir(), `fl-e2e-${process.pid}`);
    mkdirSync(work, { recursive: true });

    h = await startHarness({ webRoot: WEB_ROOT });
    world = await makeWorld(h);

    // Org A's gallery, ingested in-process from a manifest (local paths are for the operator, not uploads).
    const gallery = new OrgGalleryService(h.app).create(world.a.admin.caller, {
      name: 'Harbour custody photos',
      legalBasis: 'Custody records, Police Act s.64',
    });
    const manifest = join(work, 'gallery.csv');
    writeFileSync(
      manifest,
      [
        'path,subject_id,source',
        ...GALLERY_PEOPLE.map(
          ([name, i]) =>
            `${lfw(name, i)},${name},https://records.example/${name}/${String(i).padStart(4, '0')}`,
        ),
      ].join('\n'),
    );
    const job = await new GalleryService(h.app).ingest({
      gallery: gallery.id,
      source: manifest,
      createdBy: world.a.admin.caller.actor,
    });
    assert.equal(job.imagesEnrolled, GALLERY_PEOPLE.length, 'every gallery photo enrolled');

    await h.server.listen({ port: 0, host: '127.0.0.1' });
    const address = h.server.server.address();
    assert.ok(address && typeof address === 'object');
    base = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  describe('an investigator', () => {
    let page: Page;
    const searchPosts: string[] = [];

    before(async () => {
      page = await newPage();
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/searches')
          searchPosts.push(r.url());
      });
    });

    it('signs in with a password and lands on the search page', async () => {
      await page.goto('/');
      await page.waitForSelector('#login-email');
      await shot(page, '01-login');
      await signIn(page, world.a.investigator.email);
      await page.waitForURL('**/search');
      const nav = await page.$$eval('nav[aria-label=Main] a', (as) =>
        as.map((a) => a.getAttribute('data-nav')),
      );
      assert.deepEqual(nav, ['search', 'compare', 'history']);
    });

    it('cannot reach the admin, audit or galleries pages, even by typing their address', async () => {
      for (const path of ['/admin', '/audit', '/galleries']) {
        await page.goto(path);
        await page.waitForSelector('[data-testid=not-permitted]');
        assert.match((await page.textContent('[data-testid=not-permitted]')) ?? '', /Not permitted/);
        assert.equal(await page.$('nav a[data-nav=admin]'), null);
        assert.equal(await page.$('nav a[data-nav=audit]'), null);
      }
      await shot(page, '02-not-permitted');
    });

    it('is refused in the UI when the case number is missing; nothing is sent', async () => {
      await page.goto('/search');
      await page.waitForSelector('[data-testid=dropzone]');
      await page.evaluate(IN_BROWSER.give('drop', PROBE));
      await page.waitForSelector('[data-testid=probe-image]');
      await page.selectOption('#purpose', 'homicide');
      await page.click('form[aria-label="New search"] button[type=submit]');
      await page.waitForSelector('[data-testid=case-number-error]:has-text("case number is required")');
      assert.equal(await page.getAttribute('#case-number', 'aria-invalid'), 'true');
      assert.equal(await page.evaluate('document.activeElement?.id'), 'case-number');
      assert.deepEqual(searchPosts, [], 'no search request left the browser');
      assert.equal(await page.$('[data-testid=candidate]'), null);
    });

    it('runs a case-bound search with a real LFW probe and finds the right person at rank 1', async () => {
      await page.fill('#case-number', 'HP-2026-0042');
      await page.click('form[aria-label="New search"] button[type=submit]');
      await page.waitForSelector('[data-testid=candidate]', { timeout: 60_000 });
      assert.equal(searchPosts.length, 1);
      const first = page.locator('[data-testid=candidate]').first();
      assert.equal(await first.getAttribute('data-rank'), '1');
      assert.equal(await first.getAttribute('data-subject'), 'Tony_Blair');
      // The other Tony Blair photo collapses into the same subject: no second card for him.
      assert.equal(await page.locator('[data-testid=candidate][data-subject=Tony_Blair]').count(), 1);
      assert.match((await page.textContent('[data-testid=lead-notice]')) ?? '', /not an identification/i);
      assert.equal(await page.textContent('[data-testid=result-case]'), 'HP-2026-0042');
      assert.equal(await page.$('[data-testid=no-match]'), null, 'a confident match, not the no-match state');
      // Every detected face is boxed, the searched one highlighted.
      assert.equal(await page.locator('.face-box.selected').count(), 1);
      // Low candidates sit below the threshold line.
      const order = await page.$$eval('.cand-grid > li', (lis) =>
        lis.map((li) =>
          li.classList.contains('threshold-line') ? 'line' : (li.className.split(' ')[1] ?? ''),
        ),
      );
      const line = order.indexOf('line');
      if (line >= 0) {
        assert.ok(order.slice(0, line).every((c) => c !== 'low'));
        assert.ok(order.slice(line + 1).every((c) => c === 'low'));
      }
      await shot(page, '03-search-results');
    });

    it('opens the side-by-side comparison of a candidate with the probe', async () => {
      const cardSimilarity = await page.textContent(
        '[data-testid=candidate] >> nth=0 >> [data-testid=similarity]',
      );
      // With the keyboard: focus the card's button, Enter opens the dialog.
      await page.focus('[data-testid=candidate] >> nth=0 >> button.cand-open');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=compare-dialog][open]');
      assert.equal(await page.textContent('[data-testid=compare-similarity]'), cardSimilarity);
      // The probe's face crop is drawn from the photo in the browser (not a blank canvas).
      await waitUntil(page, IN_BROWSER.cropDrawn('probe-crop'));
      assert.match(
        (await page.textContent('[data-testid=compare-dialog] [data-testid=lead-notice]')) ?? '',
        /not an identification/i,
      );
      await page.screenshot({ path: join(SHOTS, '04-comparison.png') });
      await page.keyboard.press('Escape');
      await page.waitForSelector('[data-testid=compare-dialog]:not([open])', { state: 'attached' });
      assert.equal(await page.evaluate(IN_BROWSER.focusedClass), 'cand-open', 'focus returns to the card');
    });

    it('lays the results out at tablet width', async () => {
      await page.setViewportSize({ width: 820, height: 1100 });
      await shot(page, '05-search-tablet');
      const overflow = Number(await page.evaluate(IN_BROWSER.sidewaysOverflow));
      assert.ok(overflow <= 0, `no sideways scrolling at tablet width (overflow ${overflow}px)`);
      await page.setViewportSize({ width: 1280, height: 860 });
    });

    it('boxes every face of a pasted group photo and searches again with the face clicked', async () => {
      await page.evaluate(IN_BROWSER.give('paste', crowd(18)));
      await page.waitForSelector('[data-testid=candidate]', { state: 'detached' });
      await page.click('form[aria-label="New search"] button[type=submit]');
      await page.waitForSelector('.face-box.selected', { timeout: 60_000 });
      const faces = await page.locator('.face-box').count();
      assert.ok(faces >= 3, `every face is boxed (${faces})`);
      const searched = await page.getAttribute('.face-box.selected', 'data-face');
      const other = searched === '0' ? '1' : '0';
      const before = searchPosts.length;
      await page.click(`.face-box[data-face="${other}"]`);
      await page.waitForSelector(`.face-box.selected[data-face="${other}"]`, { timeout: 60_000 });
      assert.equal(searchPosts.length, before + 1, 'the click ran one new search');
      assert.equal(await page.locator('.face-box.selected').count(), 1);
      // Nobody in this crowd is in the gallery: the page says so plainly.
      await page.waitForSelector('[data-testid=no-match]');
      assert.ok(await page.isVisible('[data-testid=lead-notice]'));
      await shot(page, '06-search-group-photo');
    });

    it('finds the search in the history and opens its results again', async () => {
      await page.click('nav a[data-nav=history]');
      await page.waitForSelector('[data-testid=history-row]');
      assert.equal(
        await page.locator('[data-testid=history-row]').count(),
        3,
        'three searches, newest first',
      );
      await shot(page, '07-history');
      // The oldest of the three is the Tony Blair search.
      await page.locator('[data-testid=history-row] a').last().click();
      await page.waitForSelector('[data-testid=candidate]');
      assert.equal(
        await page.locator('[data-testid=candidate]').first().getAttribute('data-subject'),
        'Tony_Blair',
      );
      assert.ok(await page.isVisible('[data-testid=lead-notice]'));
      await page.waitForSelector('[data-testid=probe-image]');
    });

    it('compares two photos 1:1 on the compare page, for a case', async () => {
      await page.goto('/compare');
      await page.setInputFiles('#compare-a', lfw('Colin_Powell', 1));
      await page.setInputFiles('#compare-b', lfw('Colin_Powell', 2));
      await page.click('form[aria-label="New comparison"] button[type=submit]');
      await page.waitForSelector('[data-testid=case-number-error]:has-text("case number is required")');
      await page.fill('#case-number', 'HP-2026-0043');
      await page.selectOption('#purpose', 'homicide');
      await page.click('form[aria-label="New comparison"] button[type=submit]');
      await page.waitForSelector('[data-testid=compare-result]', { timeout: 60_000 });
      assert.equal(await page.getAttribute('[data-testid=compare-result]', 'data-match'), 'true');
      assert.match((await page.textContent('[data-testid=compare-verdict]')) ?? '', /may be the same person/);
      assert.match((await page.textContent('[data-testid=lead-notice]')) ?? '', /not an identification/i);
      await waitUntil(page, IN_BROWSER.cropDrawn('compare-crop-a'));
      await waitUntil(page, IN_BROWSER.cropDrawn('compare-crop-b'));
      await shot(page, '05b-compare');

      await page.setInputFiles('#compare-b', lfw('Serena_Williams', 1));
      await page.click('form[aria-label="New comparison"] button[type=submit]');
      await page.waitForSelector('[data-testid=compare-result][data-match=false]', { timeout: 60_000 });
      assert.match((await page.textContent('[data-testid=compare-verdict]')) ?? '', /No match/);
    });
  });

  describe('an org-admin', () => {
    let page: Page;

    it('signs in with a password and a TOTP code, and sees the org’s users', async () => {
      page = await newPage();
      await signIn(page, world.a.admin.email, () => freshCode(h.env, world.a.admin));
      await page.waitForURL('**/admin');
      const nav = await page.$$eval('nav[aria-label=Main] a', (as) =>
        as.map((a) => a.getAttribute('data-nav')),
      );
      assert.deepEqual(nav, ['history', 'galleries', 'admin']);
      await page.waitForSelector(`[data-testid=user-row][data-email="${world.a.investigator.email}"]`);
      assert.equal(await page.$(`[data-testid=user-row][data-email="${world.b.investigator.email}"]`), null);
      await shot(page, '08-admin-users');
    });

    it('sets the org’s search retention and MFA policy, and reads them back', async () => {
      await page.click('[role=tab]:has-text("Settings")');
      await page.fill('#ret-history', '400');
      await page.click('form[aria-label="Search retention"] button[type=submit]');
      await page.waitForSelector('.message.ok:has-text("Saved the retention periods")');
      await page.check('[data-testid=org-mfa-required]');
      await page.waitForSelector('.message.ok:has-text("Everyone now needs a second factor")');
      await shot(page, '08b-admin-settings');
      await page.reload();
      await page.click('[role=tab]:has-text("Settings")');
      await page.waitForSelector('#ret-history');
      assert.equal(await page.inputValue('#ret-history'), '400');
      assert.equal(await page.isChecked('[data-testid=org-mfa-required]'), true);
      // Back as it was: the auditor signs in later without a second factor.
      await page.uncheck('[data-testid=org-mfa-required]');
      await page.waitForSelector('.message.ok:has-text("Only admins need a second factor now")');
      await page.click('[role=tab]:has-text("Users")');
    });

    it('uploads an archive and watches the ingest reach 100%', async () => {
      const zip = join(work, 'volunteers.zip');
      writeFileSync(
        zip,
        storedZip([
          ...UPLOAD_PEOPLE.map((name) => ({
            name: `volunteers/${name}.jpg`,
            data: readFileSync(lfw(name, 1)),
          })),
          { name: 'volunteers/damaged.jpg', data: new TextEncoder().encode('not a picture at all') },
        ]),
      );
      await page.click('nav a[data-nav=galleries]');
      await page.waitForSelector('[data-testid=galleries-table]');
      await page.fill('#gallery-name', 'Volunteers (e2e)');
      await page.fill('#gallery-basis', 'Written consent of each volunteer');
      await page.click('form[aria-label="Create a gallery"] button[type=submit]');
      await page.waitForSelector('[data-testid=gallery-detail] h2:has-text("Volunteers (e2e)")');
      await page.setInputFiles('#ingest-file', zip);
      await page.click('form[aria-label="Ingest into this gallery"] button[type=submit]');
      await page.waitForSelector('[data-testid=job-progress]');

      const seen: string[] = [];
      for (let i = 0; i < 300; i++) {
        const percent = (await page.textContent('[data-testid=job-percent]')) ?? '';
        if (percent && seen.at(-1) !== percent) seen.push(percent);
        if ((await page.getAttribute('[data-testid=job-progress]', 'data-status')) !== 'running') break;
        await page.waitForTimeout(100);
      }
      assert.equal(await page.getAttribute('[data-testid=job-progress]', 'data-status'), 'done');
      assert.equal(await page.textContent('[data-testid=job-percent]'), '100%');
      assert.equal(await page.getAttribute('[role=progressbar]', 'aria-valuenow'), '100');
      const values = seen.map((s) => Number.parseInt(s, 10));
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        `progress only moves forward: ${seen.join(' → ')}`,
      );
      assert.equal(await page.textContent('[data-testid=job-images]'), String(UPLOAD_PEOPLE.length));
      assert.equal(await page.textContent('[data-testid=job-errors]'), '1');
      assert.match((await page.textContent('[data-testid=job-problems]')) ?? '', /damaged\.jpg/);
      assert.match((await page.textContent('[data-testid=job-rate]')) ?? '', /^\d+(\.\d)?$/);
      await page.waitForTimeout(400); // let the bar's fill animation finish before the picture
      await shot(page, '09-galleries-ingest');
      await page.fill('#gallery-retention-days', '90');
      await page.click('form[aria-label="Gallery retention"] button[type=submit]');
      await page.waitForSelector('form[aria-label="Gallery retention"] :text("Saved.")');
      assert.equal(h.app.store.galleries.findAllByName('Volunteers (e2e)')[0]?.retentionDays, 90);
    });

    it('erases an image of the gallery, giving a reason from the list', async () => {
      await page.click('[role=tab]:has-text("Images")');
      const rows = page.locator('[data-testid=images-table] tbody tr');
      await page.waitForSelector('[data-testid=images-table] button:has-text("Erase")');
      assert.equal(await rows.count(), UPLOAD_PEOPLE.length);
      await page.locator('[data-testid=images-table] button:has-text("Erase")').first().click();
      await page.selectOption('#erase-reason', 'wrongly-ingested');
      await page.fill('#erase-ref', 'TICKET-17');
      await page.click('dialog[open] button[type=submit]');
      await page.waitForSelector('.message.ok:has-text("Erased image")');
      await waitUntil(
        page,
        `document.querySelectorAll('[data-testid=images-table] tbody tr').length === ${UPLOAD_PEOPLE.length - 1}`,
      );
    });

    it('groups the gallery’s faces into identities, one per person', async () => {
      await page.click('[role=tab]:has-text("Identities")');
      await page.click('[data-testid=build-identities]');
      await page.waitForSelector('[data-testid=identities-built]');
      const people = UPLOAD_PEOPLE.length - 1; // one image was erased above
      assert.match(
        (await page.textContent('[data-testid=identities-built]')) ?? '',
        new RegExp(`Grouped ${people} faces into ${people} identities`),
      );
      await waitUntil(
        page,
        `document.querySelectorAll('[data-testid=identities-table] tbody tr').length === ${people}`,
      );
    });
  });

  describe('a new org-admin', () => {
    it('is added by an admin, sets a password from the link and enrols a second factor at first sign-in', async () => {
      const admin = await newPage();
      await signIn(admin, world.a.admin.email, () => freshCode(h.env, world.a.admin));
      await admin.waitForSelector('[data-testid=users-table]');
      await admin.fill('#new-user-email', 'deputy@harbour-police.example');
      await admin.fill('#new-user-name', 'Deputy Admin');
      await admin.check('#new-user-role-org-admin');
      await admin.uncheck('#new-user-role-investigator');
      await admin.click('form[aria-label="Add a user"] button[type=submit]');
      const link = ((await admin.textContent('[data-testid=setup-link]')) ?? '').trim();
      assert.match(link, /\/setup#token=/);
      await admin.waitForSelector('[data-testid=user-row][data-email="deputy@harbour-police.example"]');

      const page = await newPage();
      await page.goto(link);
      await page.fill('#setup-password', PASSWORD);
      await page.fill('#setup-again', PASSWORD);
      await page.click('form[aria-label="Set your password"] button[type=submit]');
      await page.waitForSelector('.message.ok:has-text("Password set")');
      await page.goto('/');
      await page.fill('#login-email', 'deputy@harbour-police.example');
      await page.fill('#login-password', PASSWORD);
      await page.click('form[aria-label="Sign in"] button[type=submit]');
      await page.waitForSelector('[data-testid=totp-secret]');
      const secret = await page.getAttribute('[data-testid=totp-secret]', 'data-secret');
      assert.ok(secret);
      const uri = (await page.textContent('[data-testid=totp-uri]')) ?? '';
      assert.match(uri, /^otpauth:\/\/totp\//);
      // The QR code drawn is the otpauth URI's: its dark modules are exactly those the encoder gives.
      const drawn = new Set(
        [
          ...((await page.getAttribute('[data-testid=totp-qr] path', 'd')) ?? '').matchAll(/M(\d+) (\d+)/g),
        ].map((m) => `${Number(m[1]) - 4},${Number(m[2]) - 4}`),
      );
      const expected = new Set(
        encode(uri, { border: 0, ecc: 'M' }).data.flatMap((row, y) =>
          row.flatMap((dark, x) => (dark ? [`${x},${y}`] : [])),
        ),
      );
      assert.ok(expected.size > 100);
      assert.deepEqual(drawn, expected);
      await shot(page, '10-mfa-enrolment');
      await page.fill('#enrol-code', totpCode(secret, h.clock.now().getTime()));
      await page.click('form[aria-label="Set up the second factor"] button[type=submit]');
      await page.waitForSelector('[data-testid=recovery-codes] li');
      assert.ok((await page.locator('[data-testid=recovery-codes] li').count()) >= 8);
      await page.click('button:has-text("I have saved them")');
      await page.waitForURL('**/admin');
      await page.waitForSelector('header.topbar');
    });

    it('has their sign-in reset by an admin after losing their phone: a new link, the old password refused', async () => {
      const admin = await newPage();
      await signIn(admin, world.a.admin.email, () => freshCode(h.env, world.a.admin));
      const row = admin.locator('[data-testid=user-row][data-email="deputy@harbour-police.example"]');
      await row.locator('button:has-text("Reset sign-in")').click();
      await row.locator('input[type=checkbox]').check();
      await row.locator('button[type=submit]:has-text("Reset")').click();
      const link = ((await admin.textContent('[data-testid=reset-link]')) ?? '').trim();
      assert.match(link, /\/setup#token=/);

      const page = await newPage();
      await page.goto('/');
      await page.fill('#login-email', 'deputy@harbour-police.example');
      await page.fill('#login-password', PASSWORD);
      await page.click('form[aria-label="Sign in"] button[type=submit]');
      await page.waitForSelector('.message:has-text("Sign-in failed")');
    });
  });

  describe('an auditor', () => {
    it('sees the chain verified and the search in the audit log, with no search page', async () => {
      const page = await newPage();
      await signIn(page, world.a.auditor.email);
      await page.waitForURL('**/audit');
      await page.waitForSelector('[data-testid=verify-panel] .message.ok');
      await page.waitForSelector('[data-testid=audit-row][data-type="search.run"]');
      assert.ok(await page.$('[data-testid=audit-row][data-type="erasure"]'), 'the erasure is in the log');
      const nav = await page.$$eval('nav[aria-label=Main] a', (as) =>
        as.map((a) => a.getAttribute('data-nav')),
      );
      assert.deepEqual(nav, ['history', 'audit']);
      await shot(page, '11-audit');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid=audit-export]'),
      ]);
      const lines = readFileSync(await download.path(), 'utf8')
        .trim()
        .split('\n');
      const entries = lines.map((l) => JSON.parse(l) as { type: string; hash: string; orgId: string });
      assert.ok(entries.some((e) => e.type === 'search.run'));
      assert.ok(
        entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && e.orgId === world.a.orgId),
        'own org only',
      );
      await page.goto('/search');
      await page.waitForSelector('[data-testid=not-permitted]');
    });
  });

  describe('a platform-admin', () => {
    let page: Page;
    const optOuts = () => new OptOutService(h.app);

    before(async () => {
      page = await newPage();
      await signIn(page, world.platform.admin.email, () => freshCode(h.env, world.platform.admin));
    });

    it('lands on the platform page and creates an org with its first org-admin', async () => {
      await page.waitForURL('**/platform');
      const nav = await page.$$eval('nav[aria-label=Main] a', (as) =>
        as.map((a) => a.getAttribute('data-nav')),
      );
      assert.deepEqual(nav, ['galleries', 'audit', 'platform']);
      await page.waitForSelector('[data-testid=org-row][data-name="Harbour Police"]');
      await page.fill('#org-name', 'Coastguard (e2e)');
      await page.fill('#org-contact-person', 'Duty officer');
      await page.click('form[aria-label="Create an organisation"] button[type=submit]');
      const row = page.locator('[data-testid=org-row][data-name="Coastguard (e2e)"]');
      await row.waitFor();
      await row.locator('button:has-text("Add org-admin")').click();
      await row.locator('input[type=email]').fill('chief@coastguard.example');
      await row.locator('button[type=submit]').click();
      assert.match(
        ((await page.textContent('[data-testid=org-admin-setup-link]')) ?? '').trim(),
        /\/setup#token=/,
      );
      await row.locator('button:has-text("Done")').click();
      await row.locator('button:has-text("Suspend")').click();
      await page.waitForSelector(
        '[data-testid=org-row][data-name="Coastguard (e2e)"] [data-testid=org-status]:has-text("suspended")',
      );
      await shot(page, '15-platform-orgs');
    });

    it('shares a platform gallery with an org, withdraws it, and hands the gallery over', async () => {
      const gallery = new OrgGalleryService(h.app).create(world.platform.caller, {
        name: 'Missing persons (platform)',
        legalBasis: 'Statutory missing-persons register',
      });
      await page.click('[role=tab]:has-text("Platform galleries")');
      const row = page.locator('[data-testid=platform-gallery-row][data-name="Missing persons (platform)"]');
      await row.waitFor();
      await row.locator('select').selectOption({ label: 'Inland Revenue' });
      await row.locator('button:has-text("Share")').click();
      await row.locator('[data-testid=grant]:has-text("Inland Revenue")').waitFor();
      const grants = h.app.tenancy.forPlatform(world.platform.caller).galleries;
      assert.deepEqual(
        grants.grants(gallery.id).map((g) => g.orgId),
        [world.b.orgId],
      );
      assert.equal(await row.locator('button:has-text("Hand over")').isDisabled(), true, 'not while shared');
      await row.locator('[data-testid=grant] button').click();
      await row.locator('[data-testid=grant]').waitFor({ state: 'detached' });
      await row.locator('select').selectOption({ label: 'Inland Revenue' });
      await row.locator('button:has-text("Hand over")').click();
      await row.waitFor({ state: 'detached' });
      assert.equal(grants.ownerOf(gallery.id), world.b.orgId);
    });

    it('reviews held opt-outs: confirms one (faces erased) and rejects another (template destroyed)', async () => {
      await optOuts().submit({ selfie: readFileSync(lfw('Jacques_Chirac', 2)), via: 'public' });
      await optOuts().submit({ selfie: readFileSync(lfw('Hugo_Chavez', 2)), via: 'public' });
      const held = optOuts().list('held').items;
      assert.equal(held.length, 2);
      await page.click('[role=tab]:has-text("Opt-out review")');
      await waitUntil(
        page,
        "document.querySelectorAll('[data-testid=opt-out-row][data-state=held]').length === 2",
      );
      await shot(page, '16-platform-opt-outs');
      await page
        .locator('[data-testid=opt-out-row]')
        .first()
        .locator('button:has-text("Confirm now")')
        .click();
      await page.waitForSelector('.message.ok:has-text("Confirmed")');
      await waitUntil(
        page,
        "document.querySelectorAll('[data-testid=opt-out-row][data-state=held]').length === 1",
      );
      const last = page.locator('[data-testid=opt-out-row]').first();
      await last.locator('button:has-text("Reject")').click();
      await last.locator('input').fill('Sent with twenty others from one address for one case');
      await last.locator('button[type=submit]').click();
      await page.waitForSelector('.message.ok:has-text("Rejected")');
      const states = optOuts()
        .list()
        .items.filter((r) => held.some((x) => x.id === r.id))
        .map((r) => r.state)
        .sort();
      assert.deepEqual(states, ['confirmed', 'rejected']);
      const confirmed = optOuts()
        .list('confirmed')
        .items.find((r) => held.some((x) => x.id === r.id));
      assert.equal(confirmed?.facesRemoved, 1, 'the enrolled photo of that person was erased');
    });
  });

  describe('anyone', () => {
    it('can opt out with a selfie on the public page and gets a confirmation code', async () => {
      const page = await newPage();
      await page.goto('/opt-out');
      await page.setInputFiles('#selfie-file', lfw('Serena_Williams', 2));
      await page.check('#opt-out-confirm');
      await shot(page, '12-opt-out');
      await page.click('form[aria-label="Opt-out request"] button[type=submit]');
      await page.waitForSelector('[data-testid=confirmation-code]', { timeout: 30_000 });
      const code = ((await page.textContent('[data-testid=confirmation-code]')) ?? '').trim();
      assert.ok(code.length >= 8);
      assert.equal(await page.$('header.topbar'), null, 'the public page shows no app navigation');
      await shot(page, '13-opt-out-done');

      // Later, with the code: the request is held (in force; held photos erased when the review ends).
      const later = await newPage();
      await later.goto('/opt-out');
      await later.fill('#opt-out-code', code);
      await later.click('form[aria-label="Check an opt-out request"] button[type=submit]');
      await later.waitForSelector('[data-testid=opt-out-state][data-state=held]');
      assert.match((await later.textContent('[data-testid=opt-out-state]')) ?? '', /erased after/);
    });

    it('is told clearly that an account is locked', async () => {
      const email = world.b.investigator.email;
      for (let i = 0; i < 5; i++)
        await h.call({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email, password: 'wrong password' },
        });
      const page = await newPage();
      await page.goto('/');
      await page.fill('#login-email', email);
      await page.fill('#login-password', PASSWORD);
      await page.click('form[aria-label="Sign in"] button[type=submit]');
      await page.waitForSelector('.message:has-text("Account locked")');
      assert.match((await page.textContent('.message.warn')) ?? '', /locked after 5 failed sign-in attempts/);
      await shot(page, '14-locked');
    });

    it('is told that the session ended after 30 idle minutes, and signs in again', async () => {
      const page = await newPage();
      await signIn(page, world.a.investigator.email);
      h.clock.advance(31 * 60);
      await page.goto('/history');
      await page.waitForSelector('.message:has-text("30 minutes without activity")');
      assert.equal(await page.$('header.topbar'), null);
      await signIn(page, world.a.investigator.email);
      await page.goto('/history');
      await page.waitForSelector('[data-testid=history-row]');
    });
  });
});
