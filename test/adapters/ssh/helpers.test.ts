import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, DefaultHelpersDir, type SshExecutorWithStats, type SshServer } from '../../../lambdas/adapters/ssh';
import { startSshd, type SshdHandle } from '../../helpers/sshd';
import { execution, outputCollector, serverOf } from './sshHarness';

let sshd: SshdHandle;
let server: SshServer;
let standIn: string;
let withStandIn: SshExecutorWithStats;
let withReal: SshExecutorWithStats;

beforeAll(async () => {
  sshd = await startSshd();
  server = serverOf(sshd);
  standIn = mkdtempSync(join(tmpdir(), 'cronium-helpers-'));
  writeFileSync(join(standIn, 'cronium.sh'), 'cronium_hello() { echo "sh-helper $1 in ${CRONIUM_WORKSPACE:+ws}"; }\n');
  writeFileSync(
    join(standIn, 'cronium.py'),
    'import os\ndef hello():\n    return "py-helper " + ("ws" if os.environ.get("CRONIUM_WORKSPACE") else "")\n',
  );
  mkdirSync(join(standIn, 'node'));
  writeFileSync(join(standIn, 'node', 'cronium.js'), 'module.exports = { hello: () => "js-helper" };\n');
  writeFileSync(join(standIn, 'node', 'package.json'), '{"name":"cronium","main":"cronium.js"}\n');
  writeFileSync(join(standIn, 'README.md'), 'docs stay behind\n');
  writeFileSync(join(standIn, '.gitkeep'), '');
  withStandIn = createSshExecutor({ helpersDir: standIn });
  withReal = createSshExecutor({ helpersDir: DefaultHelpersDir });
});

afterAll(async () => {
  await withStandIn?.close();
  await withReal?.close();
  await sshd?.stop();
  rmSync(standIn, { recursive: true, force: true });
});

describe('runtime helpers over ssh', () => {
  it('gives bash the helper functions through BASH_ENV', async () => {
    const out = outputCollector();
    const report = await withStandIn.run(execution(server, 'bash', 'cronium_hello there', { onOutput: out.onOutput }));
    expect(report.exitCode).toBe(0);
    expect(out.text()).toBe('sh-helper there in ws');
  });

  it('lets python import cronium (PYTHONPATH)', async () => {
    const out = outputCollector();
    const report = await withStandIn.run(execution(server, 'python', 'import cronium\nprint(cronium.hello())', { onOutput: out.onOutput }));
    expect(report.exitCode).toBe(0);
    expect(out.text()).toBe('py-helper ws');
  });

  it("keeps the job's own PYTHONPATH after the helpers'", async () => {
    const out = outputCollector();
    const script = 'import os\nprint(os.environ["PYTHONPATH"].split(":")[1])';
    await withStandIn.run(execution(server, 'python', script, { env: { PYTHONPATH: '/opt/mine' }, onOutput: out.onOutput }));
    expect(out.text()).toBe('/opt/mine');
  });

  it("lets node require('cronium') and import it", async () => {
    const required = outputCollector();
    const imported = outputCollector();
    await withStandIn.run(execution(server, 'node', "console.log(require('cronium').hello())", { onOutput: required.onOutput }));
    const esm = "import cronium from 'cronium';\nconsole.log(cronium.hello());";
    await withStandIn.run(execution(server, 'node', esm, { onOutput: imported.onOutput }));
    expect(required.text()).toBe('js-helper');
    expect(imported.text()).toBe('js-helper');
  });

  it('runs the real helpers in every runtime: each writes an output the run reads back', async () => {
    const runs = await Promise.all([
      withReal.run(execution(server, 'bash', 'cronium output \'"bash"\'')),
      withReal.run(execution(server, 'python', 'import cronium\ncronium.output("python")')),
      withReal.run(execution(server, 'node', "require('cronium').output('node')")),
    ]);
    expect(runs.map((r) => [r.exitCode, r.outputs?.files['output.json']?.trim()])).toEqual([
      [0, '"bash"'],
      [0, '"python"'],
      [0, '"node"'],
    ]);
  });
});
