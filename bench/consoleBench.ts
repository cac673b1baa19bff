/**
 * Web console figures (`npx tsx bench/run.ts --console`, or this file alone), written to
 * bench/results/console.json:
 * - cold load: a fresh browser context (empty cache, the key already in session storage) opens
 *   /#/jobs; time until the Jobs heading and the first row are visible, median and p95 of 10,
 *   against fetching index.html with Node's fetch in the same run;
 * - following a job that writes 1,000 lines a second for 10 s on its page: the longest main-thread
 *   task ('longtask' observer) and frame gap (requestAnimationFrame) while it runs, and whether
 *   every line arrived;
 * - the JS bundle sizes (gzip) of the entry chunk and of every lazily loaded chunk.
 * The control plane runs in a child process (bench/server.ts), as in the other benches.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/console/browser';
import { waitForJob } from '../test/e2e/harness';
import { startServer, type BenchServer } from './server';
import { percentile, round, summarize } from './stats';

const RESULTS = 'bench/results/console.json';
const DIST = join(import.meta.dirname, '../console/dist');
const RUNS = 10;
const LINES_PER_SECOND = 1_000;
const SECONDS = 10;

const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

/** A fresh context (its own empty cache) whose session storage already holds the key. */
const signedInContext = async (browser: Browser, key: string) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await context.addInitScript({ content: `sessionStorage.setItem('cronium.apiKey', ${JSON.stringify(key)})` });
  return context;
};

// In-page scripts as text: the bench is type-checked without the DOM library.
/** When (ms since navigation start) the Jobs heading and the first job row were first in the DOM. */
const WATCH_FIRST_ROW = `
  window.benchSeen = {};
  new MutationObserver(() => {
    const s = window.benchSeen;
    if (s.heading === undefined && [...document.querySelectorAll('h1')].some((h) => h.textContent === 'Jobs')) s.heading = performance.now();
    if (s.row === undefined && document.querySelector('tr[data-job-id]')) s.row = performance.now();
  }).observe(document, { childList: true, subtree: true });
`;
/** Where the cold load's time goes: when each step's response ended (ms since navigation start). */
const WATERFALL = `(() => {
  const r = performance.getEntriesByType('resource');
  const end = (test) => r.find((e) => test(new URL(e.name).pathname))?.responseEnd;
  const api = r.find((e) => new URL(e.name).pathname === '/jobs');
  return {
    html: performance.getEntriesByType('navigation')[0].responseEnd,
    entryScript: end((p) => /\\/assets\\/index-.*\\.js$/.test(p)),
    configJson: end((p) => p.endsWith('/config.json')),
    pageChunk: end((p) => /\\/assets\\/Jobs-.*\\.js$/.test(p)),
    jobsApiStart: api?.startTime,
    jobsApiEnd: api?.responseEnd,
  };
})()`;

/** The longest main-thread task ('longtask' entries, 50 ms and over) and gap between frames. */
const WATCH_MAIN_THREAD = `
  window.benchLongest = 0;
  window.benchLongTasks = 0;
  window.benchFrameGap = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.benchLongTasks++;
      window.benchLongest = Math.max(window.benchLongest, e.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
  let last;
  const frame = (t) => {
    if (last !== undefined) window.benchFrameGap = Math.max(window.benchFrameGap, t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
`;

const coldLoad = async (browser: Browser, h: BenchServer) => {
  for (let i = 0; i < 3; i++)
    await waitForJob(h.admin, (await h.admin.post('/jobs', { runtime: 'bash', script: `echo ${i}` })).body.id, 60_000);
  const baseline: number[] = [];
  const load: number[] = [];
  const inPage: number[] = [];
  const steps: Record<string, number>[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await time(async () => (await fetch(`${h.url}/`)).text()));
    const context = await signedInContext(browser, h.adminKey);
    await context.addInitScript({ content: WATCH_FIRST_ROW });
    const page = await context.newPage();
    load.push(
      await time(async () => {
        await page.goto(`${h.url}/#/jobs`);
        await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
        await page.locator('tr[data-job-id]').first().waitFor();
      }),
    );
    const seen = await page.evaluate<{ heading: number; row: number }>('window.benchSeen');
    inPage.push(Math.max(seen.heading, seen.row));
    steps.push(await page.evaluate<Record<string, number>>(WATERFALL));
    await context.close();
  }
  const l = summarize(load);
  const p = summarize(inPage);
  const b = summarize(baseline);
  return {
    runs: RUNS,
    /** Node's clock: from the navigation asked to both visible, Playwright's round trips included. */
    jobsPage: l,
    /** The page's clock: from its navigation start to both in the DOM. */
    jobsPageInPage: p,
    /** Medians of when each step's response ended, in the page's clock. */
    waterfallMedianMs: Object.fromEntries(
      Object.keys(steps[0] ?? {}).map((k) => [
        k,
        round(
          percentile(
            steps.map((s) => s[k] ?? NaN),
            50,
          ),
        ),
      ]),
    ),
    indexHtmlFetch: b,
    ratioMedian: round(l.medianMs / b.medianMs),
    ratioMedianInPage: round(p.medianMs / b.medianMs),
  };
};

const follow = async (browser: Browser, h: BenchServer) => {
  const total = LINES_PER_SECOND * SECONDS;
  // 100 lines every 100 ms, on the clock, so a slow print does not stretch the rate.
  const script = [
    'import sys, time',
    'start = time.time()',
    `for b in range(${total / 100}):`,
    '    for i in range(100):',
    '        n = b * 100 + i + 1',
    "        sys.stdout.write(f'line {n:05d} of the follow bench, some text to give it a usual width\\n')",
    '    sys.stdout.flush()',
    '    time.sleep(max(0, start + (b + 1) * 0.1 - time.time()))',
  ].join('\n');
  const context = await signedInContext(browser, h.adminKey);
  await context.addInitScript({ content: WATCH_MAIN_THREAD });
  const page = await context.newPage();
  await page.goto(`${h.url}/#/jobs`);
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
  const { body: job } = await h.admin.post('/jobs', { runtime: 'python', script, timeoutSeconds: 120 });
  await page.goto(`${h.url}/#/jobs/${job.id}`);
  await page.getByRole('log', { name: 'Job log' }).waitFor();
  // Counted from the page's open, before the first line: the figures cover the whole follow.
  await page.evaluate('window.benchLongest = 0; window.benchLongTasks = 0; window.benchFrameGap = 0');
  const ended = await waitForJob(h.admin, job.id, 120_000);
  const footer = page.locator('.log-footer');
  const arrived = await footer
    .getByText(`${total} lines`, { exact: true })
    .waitFor({ timeout: 30_000 })
    .then(
      () => true,
      () => false,
    );
  const figures = await page.evaluate<{ longest: number; count: number; gap: number }>(
    '({ longest: window.benchLongest, count: window.benchLongTasks, gap: window.benchFrameGap })',
  );
  const shown = await footer.textContent();
  await context.close();
  return {
    linesPerSecond: LINES_PER_SECOND,
    seconds: SECONDS,
    jobStatus: ended.status as string,
    allLinesArrived: arrived,
    footer: shown?.trim(),
    longestTaskMs: round(figures.longest),
    longTasks: figures.count,
    longestFrameGapMs: round(figures.gap),
  };
};

/** Gzip sizes of the built chunks; the entry is the one index.html loads. */
const bundleSizes = async () => {
  const html = await readFile(join(DIST, 'index.html'), 'utf8');
  const entry = /src="\/console\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  const files = (await readdir(join(DIST, 'assets'))).filter((f) => f.endsWith('.js') || f.endsWith('.css'));
  const sizes = await Promise.all(
    files.map(async (f) => {
      const bytes = await readFile(join(DIST, 'assets', f));
      return { file: f, kb: round(bytes.length / 1024), gzipKb: round(gzipSync(bytes).length / 1024) };
    }),
  );
  return {
    entry: sizes.find((s) => s.file === entry),
    chunks: sizes.filter((s) => s.file !== entry).sort((a, b) => a.file.localeCompare(b.file)),
  };
};

export const benchConsole = async () => {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('the console is not built: run `npm run build:console` first');
  const h = await startServer({ LOG_LEVEL: 'error' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  try {
    return { coldLoad: await coldLoad(browser, h), follow: await follow(browser, h), bundles: await bundleSizes() };
  } finally {
    await browser.close();
    await h.close();
  }
};

export const mainConsole = async () => {
  const before = loadavg()[0]!;
  const figures = await benchConsole();
  // Other work on the machine moves these figures: the 1-minute load before and after says how much.
  const machine = { cpus: cpus().length, loadAverage1m: { before: round(before, 2), after: round(loadavg()[0]!, 2) } };
  const result = { measuredAt: new Date().toISOString(), machine, ...figures };
  await mkdir('bench/results', { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${RESULTS}`);
};

if (import.meta.url === `file://${process.argv[1]}`) await mainConsole();
