import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeCommand } from '../../bin/smoke/command';
import type { Harness } from './harness';
import { startHarness } from './harness';

const smoke = async (args: string[]) => {
  let out = '';
  const code = await runSmokeCommand(args, {}, (s) => void (out += s));
  return { code, out };
};

describe('npm run smoke against the local home', () => {
  let h: Harness;
  beforeAll(async () => {
    // The HTTP-job check requests the deployment's own /health, which is on 127.0.0.1 here.
    h = await startHarness({ CRONIUM_HTTP_ALLOW: '127.0.0.1/32' });
  });
  afterAll(async () => h?.close());

  it('passes every check on a deployment that keeps the contract', async () => {
    const { code, out } = await smoke(['--url', h.local.url, '--key', h.local.adminKey, '--job-timeout', '60']);

    expect(out).toContain('all 8 checks passed');
    expect(code).toBe(0);
  }, 120_000);

  it('fails, naming what went wrong, when the deployment does not answer as the contract says', async () => {
    const { code, out } = await smoke(['--url', h.local.url, '--key', 'cronium_not_a_key', '--job-timeout', '5']);

    expect(code).toBe(1);
    expect(out).toMatch(/^ok +health answers without a key/m);
    expect(out).toMatch(/^FAIL +a Python job completes/m);
    expect(out).toMatch(/invalid API key/);
  }, 60_000);

  it('is the npm script, and asks for the URL and key it needs', async () => {
    const run = promisify(execFile)('npx', ['tsx', 'bin/smoke.ts'], { env: { ...process.env, CRONIUM_URL: '', CRONIUM_API_KEY: '' } });

    await expect(run).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('--url and --key') });
  }, 30_000);
});
