/**
 * An automated accessibility check of the page as it stands, with axe-core (WCAG 2.1 A and AA rules).
 * Only serious and critical findings count: those block someone using a keyboard or a screen reader.
 * axe is handed to the page through the DevTools protocol (page.evaluate), which the app's CSP does not
 * govern, so the page under test keeps its real policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const RUN = `axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
}).then((r) => r.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
    v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`;

/** The serious and critical WCAG findings on the page now, one line each (empty when none). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return (await page.evaluate(RUN)) as string[];
}
