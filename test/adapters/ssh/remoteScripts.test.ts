import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidExecutionError } from '../../../lambdas/adapters/ssh';
import { buildEnvFile, shellQuote } from '../../../lambdas/adapters/ssh/remoteScripts';
import { workspaceUploads } from '../../../lambdas/adapters/ssh/remoteWorkspace';

/** Sources an env file in a real /bin/sh and returns the named variable's value. */
const sourced = (file: string, name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cronium-env-'));
  try {
    writeFileSync(join(dir, 'env'), file);
    return execFileSync('/bin/sh', ['-c', `. "$1"; printf '%s' "$${name}"`, 'sh', join(dir, 'env')], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('env file', () => {
  it('round-trips awkward values through a real shell', () => {
    const value = `it's "quoted" $HOME \`id\` $(id) \\ back\nline two\t* ?`;
    expect(sourced(buildEnvFile({ V: value }, {}), 'V')).toBe(value);
  });

  it("lets the executor's own variables win over the job's", () => {
    const file = buildEnvFile({ CRONIUM_WORKSPACE: '/evil' }, { CRONIUM_WORKSPACE: '/tmp/ws' });
    expect(sourced(file, 'CRONIUM_WORKSPACE')).toBe('/tmp/ws');
  });

  it('refuses a name a shell cannot export, naming it', () => {
    expect(() => buildEnvFile({ 'BAD-NAME': 'x' }, {})).toThrow(InvalidExecutionError);
    expect(() => buildEnvFile({ 'BAD-NAME': 'x' }, {})).toThrow(/env\.BAD-NAME/);
    expect(() => buildEnvFile({ '1X': 'x' }, {})).toThrow(InvalidExecutionError);
  });

  it('refuses a value holding NUL', () => {
    expect(() => buildEnvFile({ X: 'a\0b' }, {})).toThrow(InvalidExecutionError);
  });

  it('quotes a single quote the POSIX way', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
});

describe('workspace paths', () => {
  it('accepts in/ files, nested ones included', () => {
    expect(workspaceUploads({ 'in/script.sh': 'x', 'in/data/a.txt': 'y' }).map((f) => f.path)).toEqual(['in/script.sh', 'in/data/a.txt']);
  });

  it.each(['/etc/passwd', 'in/../../x', 'out/output.json', 'in/', '.cronium/env', 'in/.hidden'])('refuses %s', (path) => {
    expect(() => workspaceUploads({ [path]: 'x' })).toThrow(InvalidExecutionError);
  });
});
