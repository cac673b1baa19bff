import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { containersOf, eventually, startHarness, waitForJob } from './harness';

describe('the workspace size limit, end to end over REST', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CRONIUM_DEFAULT_DISK_MB: '4', CRONIUM_MAX_DISK_MB: '16' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fails a job that fills its workspace with disk_full, naming the limit, and leaves no container behind', async () => {
    const script = 'head -c 10000000 /dev/zero > /workspace/out/big.bin || echo "write failed"\nexit 1';

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script });
    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({
      status: 'failed',
      exitCode: 1,
      resources: { diskMb: 4 },
      error: { code: 'disk_full', message: 'the workspace is full: out/ reached its limit of 4 MiB (resources.diskMb)' },
    });
    const lines = (await h.admin.get(`/jobs/${body.id}/logs?after=0`)).body.items.map((l: any) => l.line);
    expect(lines).toContain('write failed');
    // The container is removed just after the job ends (the ending does not wait for the removal).
    await eventually(async () => ((await containersOf(body.id)).length === 0 ? true : undefined), 15_000, 'container removal');
  });

  it('gives a job the workspace size it asks for, within the maximum, and keeps its output', async () => {
    const script = 'head -c 10000000 /dev/zero > /workspace/out/big.bin && rm /workspace/out/big.bin\ncronium_output \'"fits"\'';

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script, resources: { diskMb: 16 } });
    const job = await waitForJob(h.admin, body.id);

    expect(job).toMatchObject({ status: 'completed', exitCode: 0, output: 'fits', resources: { diskMb: 16 } });
    expect(job.error).toBeUndefined();
  });

  it('refuses a workspace size above the configured maximum with a 400 naming the field', async () => {
    const { status, body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'true', resources: { diskMb: 17 } });

    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_input', message: 'resources.diskMb: must be between 1 and 16, got 17' });
  });
});
