import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useGateway } from './harness';

/** A GET with the path sent exactly as written (fetch would resolve `..` first). */
const rawStatus = (url: string, path: string) =>
  new Promise<number | undefined>((resolve, reject) => {
    get(`${url}${path}`, { path }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });

const builtConsole = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cronium-console-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/app-1a2b.js"></script>');
  await writeFile(join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
  return dir;
};

describe('the local gateway serving the web console', () => {
  const start = useGateway();
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const withConsole = async (dir?: string) => {
    const d = dir ?? (await builtConsole());
    dirs.push(d);
    let restCalls = 0;
    const g = await start({
      console: { dir: d, config: { apiUrl: '', wsUrl: '/ws' } },
      rest: async () => (restCalls++, { statusCode: 404, body: '{"message":"from REST"}' }),
    });
    return { ...g, restCalls: () => restCalls };
  };

  it('serves the page at / and /console/ with security headers, and assets as immutable', async () => {
    const { url, restCalls } = await withConsole();

    for (const path of ['/', '/console/']) {
      const page = await fetch(`${url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self';/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await page.text()).toContain('app-1a2b.js');
    }
    const asset = await fetch(`${url}/console/assets/app-1a2b.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${url}/console/config.json`)).json()).toEqual({ apiUrl: '', wsUrl: '/ws' });
    expect(restCalls()).toBe(0);
  });

  it('answers only what the build holds: no path reaches the file system', async () => {
    const { url, restCalls } = await withConsole();

    for (const path of ['/console/nope.js', '/console/../package.json', '/console/%2e%2e/index.html', '/console/assets/']) {
      expect(await rawStatus(url, path), path).toBe(404);
    }
    expect(restCalls()).toBe(0);
    const post = await fetch(`${url}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('leaves every other path to REST', async () => {
    const { url, restCalls } = await withConsole();

    const res = await fetch(`${url}/jobs`);

    expect(await res.json()).toEqual({ message: 'from REST' });
    expect(restCalls()).toBe(1);
  });

  it('says how to build the console when it is not built, and serves it once it is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cronium-console-'));
    const { url } = await withConsole(join(dir, 'dist'));
    dirs.push(dir);

    const missing = await fetch(`${url}/`);
    expect(missing.status).toBe(503);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('npm run build:console');

    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html>');
    expect((await fetch(`${url}/`)).status).toBe(200);
  });
});
