/**
 * Where one `GET /jobs/{id}` spends its time, in process (no client on the same cores): N requests
 * through the whole gateway over HTTP, through the REST handler alone, and the store read alone.
 * `npx tsx bench/apiProbe.ts` (a diagnostic, not part of `npm run bench`).
 */
import { request, Agent } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalControlPlane } from '../lambdas/local/createLocalControlPlane';

const N = Number(process.env['PROBE_N'] ?? 3000);

const main = async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cronium-probe-'));
  const local = await createLocalControlPlane({ ...process.env, CRONIUM_DATA_DIR: dataDir, CRONIUM_PORT: '0', LOG_LEVEL: 'error' });
  try {
    const caller = await local.cp.auth.authenticate(local.adminKey);
    const job = await local.cp.jobs.submit(caller, { runtime: 'python', script: 'print(1)' });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${local.url}/jobs/${job.id}`, { agent, headers: { authorization: `Bearer ${local.adminKey}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
    const time = async (label: string, fn: () => Promise<unknown>, concurrency = 1) => {
      for (let i = 0; i < 200; i++) await fn();
      const cpu = process.cpuUsage();
      const t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next++ < N) await fn();
        }),
      );
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      console.log(
        `${label.padEnd(34)} ${((ms * 1000) / N).toFixed(0).padStart(6)} µs wall/req  ${((used.user + used.system) / N).toFixed(0).padStart(6)} µs cpu/req  ${(N / (ms / 1000)).toFixed(0)} req/s`,
      );
    };
    await time('store: jobs.get', () => local.cp.jobs.get(caller, job.id));
    await time('auth: authenticate (cached)', () => local.cp.auth.authenticate(local.adminKey));
    await time('HTTP GET /jobs/{id}, 1 client', get);
    await time('HTTP GET /jobs/{id}, 16 clients', get, 16);
    agent.destroy();
  } finally {
    await local.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
