/**
 * Debian's Chromium for the end-to-end tests, driven by playwright-core. Never downloads a browser: a
 * machine without /usr/bin/chromium fails the test with the command that installs it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.FACELEDGER_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `the end-to-end tests need Chromium at ${CHROMIUM} (Debian: sudo apt-get install chromium); no browser is downloaded`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
