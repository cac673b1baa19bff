import { Command, InvalidArgumentError } from 'commander';
import { webSocketUrl } from '../cli/config';
import { runSmoke, type CheckResult } from './runSmoke';

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};

const report = (results: readonly CheckResult[], write: (s: string) => void) => {
  for (const r of results) write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name} (${r.ms} ms)${r.reason ? `\n      ${r.reason}` : ''}\n`);
  const failed = results.filter((r) => !r.ok).length;
  write(failed ? `${failed} of ${results.length} checks failed\n` : `all ${results.length} checks passed\n`);
};

/**
 * `npm run smoke -- --url URL --key KEY`: a black-box check that a deployment answers as the
 * contract says. @returns the process exit code: 0 when every check passed.
 */
export const runSmokeCommand = async (argv: readonly string[], env = process.env, write = (s: string) => void process.stdout.write(s)) => {
  const program = new Command('smoke')
    .description('Checks a Cronium deployment from the outside, as a user would.')
    .option('--url <url>', 'REST API base URL (CRONIUM_URL)', env['CRONIUM_URL'])
    .option(
      '--key <key>',
      'an operator API key (CRONIUM_API_KEY): the isolation check creates and revokes a key of a throwaway tenant',
      env['CRONIUM_API_KEY'],
    )
    .option('--ws-url <url>', 'WebSocket API URL (CRONIUM_WS_URL); by default <url>/ws, as the local home serves it', env['CRONIUM_WS_URL'])
    .option('--http-url <url>', "the URL the HTTP-job check requests; by default the deployment's own /health")
    .option('--job-timeout <seconds>', 'how long one job may take to end', positiveInt, 120)
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch {
    return 2;
  }
  const o = program.opts<{ url?: string; key?: string; wsUrl?: string; httpUrl?: string; jobTimeout: number }>();
  if (!o.url || !o.key) {
    write('smoke: --url and --key (or CRONIUM_URL and CRONIUM_API_KEY) are required\n');
    return 2;
  }
  const url = o.url.replace(/\/+$/, '');
  const wsUrl = webSocketUrl(url, o.key, o.wsUrl);
  const results = await runSmoke({ url, wsUrl, key: o.key, httpUrl: o.httpUrl ?? `${url}/health`, jobTimeoutMs: o.jobTimeout * 1000 });
  report(results, write);
  return results.every((r) => r.ok) ? 0 : 1;
};
