import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { type Harness, startHarness } from '../e2e/harness';

/** Debian's Chromium (apt, installed by scripts/setup.sh); Playwright never downloads a browser here. */
export const CHROMIUM = process.env['CRONIUM_CHROMIUM'] ?? '/usr/bin/chromium';

const CONSOLE_DIST = join(import.meta.dirname, '../../console/dist');

// Headless, and quiet: on a closed network Chromium's own background connections only fail.
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleHarness extends Harness {
  browser: Browser;
  /** A fresh page (its own session storage), signed in with the harness's operator key unless `signedIn: false`. */
  open(o?: { signedIn?: boolean; width?: number; colorScheme?: 'light' | 'dark' }): Promise<Page>;
}

/** A whole local control plane serving the built console, and Chromium to drive it. */
export const startConsoleHarness = async (env: Record<string, string> = {}): Promise<ConsoleHarness> => {
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) throw new Error('the console is not built: run `npm run build:console` first');
  const harness = await startHarness(env);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return {
    ...harness,
    browser,
    async open(o = {}) {
      const context = await browser.newContext({
        viewport: { width: o.width ?? 1280, height: 800 },
        colorScheme: o.colorScheme ?? 'light',
      });
      const page = await context.newPage();
      await page.goto(`${harness.local.url}/`);
      if (o.signedIn !== false) await signIn(page, harness.local.adminKey);
      return page;
    },
    async close() {
      await browser.close();
      await harness.close();
    },
  };
};

export const signIn = async (page: Page, key: string): Promise<void> => {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
};

/** Page errors and CSP violations the page reports, as they come: a test ends asserting there were none. */
export const watchProblems = (page: Page): string[] => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return problems;
};

/** The control of a console Field (`ui/components.tsx`) by its label text. */
export const fieldControl = (scope: Locator, label: string): Locator =>
  scope
    .locator('.field')
    .filter({ has: scope.page().locator('.field-label').getByText(label, { exact: true }) })
    .locator('input, select');
