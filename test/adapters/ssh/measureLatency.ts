/**
 * By-hand measurement (not a test): a trivial job over a warm pool vs a fresh `ssh` command.
 *   npx tsx test/adapters/ssh/measureLatency.ts [runs]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createSshExecutor } from '../../../lambdas/adapters/ssh';
import { runCommand } from '../../../lambdas/adapters/ssh/channels';
import { openConnection } from '../../../lambdas/adapters/ssh/connect';
import { validatePrivateKey } from '../../../lambdas/adapters/ssh/privateKey';
import { rawSshArgs, startSshd } from '../../helpers/sshd';

const runs = Number(process.argv[2] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const measure = async (fn: () => Promise<unknown>): Promise<number> => {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
};

const main = async () => {
  const sshd = await startSshd();
  const server = { id: 'bench', host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKeyPem };
  const ssh = createSshExecutor({ helpersDir: '/nonexistent' });
  const job = () => ssh.run({ server, runtime: 'bash', env: {}, workspace: { 'in/script.sh': 'echo hi\n' }, onOutput: async () => {} });
  await job(); // warms the pool
  const sshArgs = (extra: string[]) => rawSshArgs(sshd, 'echo hi', extra);
  const target = { id: 'bench', host: sshd.host, port: sshd.port, username: sshd.user };
  const key = validatePrivateKey({ privateKey: sshd.privateKeyPem });
  const { client } = await openConnection({ target, key, timeoutMs: 5_000, keepaliveIntervalMs: 0, keepaliveCountMax: 3 });

  const rows: Array<[string, number]> = [
    ['cronium job `echo hi`, warm pool (mktemp, SFTP upload, run, read out/, rm)', await measure(job)],
    [
      'raw `echo hi` exec over a warm ssh2 connection (the floor)',
      await measure(() => runCommand(client, 'echo hi', { serverId: 'bench', timeoutMs: 5_000 })),
    ],
    ['fresh `ssh -i key -p port user@127.0.0.1 echo hi` (OpenSSH defaults)', await measure(() => promisify(execFile)('ssh', sshArgs([])))],
    [
      'fresh `ssh … echo hi` with -o KexAlgorithms=curve25519-sha256',
      await measure(() => promisify(execFile)('ssh', sshArgs(['-o', 'KexAlgorithms=curve25519-sha256']))),
    ],
    ['executor.test(): fresh ssh2 connection + `id -un`', await measure(() => ssh.test(server))],
  ];
  for (const [what, ms] of rows) console.log(`${ms.toFixed(1).padStart(7)} ms  ${what}`);
  console.log(`(median of ${runs})`);
  client.end();
  await ssh.close();
  await sshd.stop();
};

await main();
