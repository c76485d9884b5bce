import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no downloaded browser). */
export const CHROMIUM = '/usr/bin/chromium';
/** Where browser tests leave their screenshots. */
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-output');
/** Why browser tests skip on this machine, or false when they run. */
export const chromiumSkip: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

/** Headless Chromium with one 1400×1000 page (10 s default timeout); the screenshot folder exists afterwards. */
export async function openChromium(): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(10_000);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return { browser, page };
}
