import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inferRuntime } from '../../bin/cli';
import { emptyDir, runCli } from './helpers/runCli';

describe('runtime inference', () => {
  it.each([
    ['backup.sh', 'bash'],
    ['etl.py', 'python'],
    ['report.js', 'node'],
    ['report.mjs', 'node'],
    ['report.cjs', 'node'],
    ['UPPER.PY', 'python'],
  ])('infers the runtime of %s as %s', (file, runtime) => {
    expect(inferRuntime(file)).toBe(runtime);
  });

  it('lets --runtime override the extension', () => {
    expect(inferRuntime('tool.sh', 'python')).toBe('python');
  });

  it('refuses a file whose runtime it cannot infer, naming the --runtime flag', () => {
    expect(() => inferRuntime('notes.txt')).toThrow(/cannot infer the runtime of notes\.txt.*--runtime bash\|python\|node/);
  });

  it('exits 2 with a usage message before reading any configuration when run cannot infer the runtime', async () => {
    // Arrange
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'script'), 'echo hi\n');

    // Act: no API key anywhere, so reaching the API would fail differently.
    const result = await runCli(['run', 'script'], { cwd });

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot infer the runtime of script/);
  });

  it('rejects an unknown --runtime value as a usage error', async () => {
    // Act
    const result = await runCli(['run', 'x.sh', '--runtime', 'ruby']);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Allowed choices are bash, python, node');
  });
});
