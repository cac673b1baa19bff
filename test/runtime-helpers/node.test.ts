/**
 * The `cronium` Node package under the real node (this process's binary), in a workspace laid
 * out as the runner does: node_modules/cronium in the workspace root, the script in in/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HelpersDir, lines, NoWorkspace, type RunOptions, Workspace, workspacePerTest, type WorkspaceSeed } from './workspace';

describe('cronium (node)', () => {
  const current = workspacePerTest();

  const run = (script: string, seed: WorkspaceSeed = {}, options: RunOptions = {}) => {
    current.ws = Workspace.create('node', script, seed);
    return current.ws.run('node', options);
  };

  const variables = { greeting: 'hello', count: 3, cfg: { a: [1, 2] }, nothing: null };

  const complete = (load: string) =>
    [
      load,
      'const data = cronium.input();',
      'const ctx = cronium.context();',
      "const seen = cronium.getVariable('count') ?? 0;",
      "cronium.setVariable('count', seen + data.items.length);",
      'const total = data.items.reduce((a, b) => a + b, 0);',
      "cronium.output({ total, job: ctx.jobId, seen: cronium.getVariable('count') });",
      'cronium.condition(total > 5);',
    ].join('\n');

  const expectComplete = (r: { code: number | null; stdout: string; stderr: string }) => {
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(current.ws!.outJson('output.json')).toEqual({ total: 6, job: 'job-123', seen: 6 });
    expect(current.ws!.outJson('variables.json')).toEqual({ count: 6 });
    expect(current.ws!.outJson('condition.json')).toBe(true);
    expect(current.ws!.outFiles()).toEqual(['condition.json', 'output.json', 'variables.json']);
  };

  it("a complete CommonJS script: require('cronium')", () => {
    expectComplete(run(complete("const cronium = require('cronium');"), { input: { items: [1, 2, 3] }, variables }));
  });

  it("a complete ESM script (.mjs): import cronium from 'cronium'", () => {
    current.ws = Workspace.create('node', '', {
      input: { items: [1, 2, 3] },
      variables,
      extraIn: { 'script.mjs': complete("import cronium from 'cronium';") },
    });
    expectComplete(current.ws.run('node', { file: 'in/script.mjs' }));
  });

  it("ESM named imports: import { input, output, ... } from 'cronium'", () => {
    current.ws = Workspace.create('node', '', {
      input: 'x',
      extraIn: {
        'script.mjs': [
          "import { input, output, getVariable, setVariable, context, condition, CroniumError } from 'cronium';",
          "setVariable('k', input() + context().tenant);",
          "output(getVariable('k'));",
          'condition(false);',
          "try { condition('no'); } catch (e) { console.log(e instanceof CroniumError, e.message); }",
        ].join('\n'),
      },
    });
    const r = current.ws.run('node', { file: 'in/script.mjs' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true cronium.condition: expected true or false, got string: "no"\n');
    expect(current.ws.outJson('output.json')).toBe('xt1');
    expect(current.ws.outJson('condition.json')).toBe(false);
  });

  it('a script.js written with import works too, on a Node that detects ES modules (22.12+; on Node 18 use .mjs)', () => {
    const r = run(["import cronium, { output } from 'cronium';", 'output(cronium.input());'].join('\n'), { input: { esm: true } });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(current.ws!.outJson('output.json')).toEqual({ esm: true });
  });

  it('input flows to output unchanged, null included', () => {
    const input = { name: 'Ada "the" Countess', list: [1, 2.5, null, true], text: 'é\n😀', nested: { deep: {} } };
    const r = run("const c = require('cronium'); c.output(c.input());", { input });
    expect(r.code).toBe(0);
    expect(current.ws!.outJson('output.json')).toEqual(input);
    current.ws!.remove();

    const none = run("const c = require('cronium'); console.log(c.input()); c.output(c.input());");
    expect(none.stdout).toBe('null\n');
    expect(current.ws!.outText('output.json')).toBe('null\n');
  });

  it("getVariable sees the runner's variables and this run's own; null when unset", () => {
    const r = run(
      [
        "const c = require('cronium');",
        "console.log(JSON.stringify([c.getVariable('greeting'), c.getVariable('cfg'), c.getVariable('nothing'), c.getVariable('unset')]));",
        "c.setVariable('greeting', 'changed');",
        "c.setVariable('fresh', [1]);",
        "console.log(JSON.stringify([c.getVariable('greeting'), c.getVariable('fresh'), c.getVariable('count')]));",
      ].join('\n'),
      { variables },
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['["hello",{"a":[1,2]},null,null]', '["changed",[1],3]']);
  });

  it('setVariable twice merges into out/variables.json, values as JSON stores them', () => {
    const r = run(
      [
        "const c = require('cronium');",
        "c.setVariable('a', 1);",
        "c.setVariable('b', { x: 'é', when: new Date(0) });",
        "c.setVariable('a', 2);",
        "c.setVariable('__proto__', { odd: 'but allowed' });",
        "console.log(JSON.stringify(c.getVariable('__proto__')));",
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('{"odd":"but allowed"}\n');
    expect(JSON.parse(current.ws!.outText('variables.json')!)).toEqual(
      JSON.parse('{"a":2,"b":{"x":"é","when":"1970-01-01T00:00:00.000Z"},"__proto__":{"odd":"but allowed"}}'),
    );
    expect(current.ws!.outFiles()).toEqual(['variables.json']);
  });

  it('setVariable and getVariable reject bad keys; setVariable rejects values that are not JSON', () => {
    const r = run(
      [
        "const c = require('cronium');",
        "const keys = ['bad key', '9lives', '', 'k' + 'x'.repeat(128), 42, 'a\\n', undefined];",
        'for (const k of keys) { try { c.setVariable(k, 1); } catch (e) { console.log(e.message); } }',
        "try { c.getVariable('no way'); } catch (e) { console.log(e.message); }",
        "try { c.setVariable('ok', 1n); } catch (e) { console.log(e.message); }",
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out).toHaveLength(9);
    expect(out[0]).toBe('cronium.setVariable: invalid variable key "bad key": it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$');
    for (const l of out.slice(1, 7)) expect(l).toMatch(/^cronium\.setVariable: invalid variable key /);
    expect(out[7]).toMatch(/^cronium\.getVariable: invalid variable key "no way"/);
    expect(out[8]).toBe('cronium.setVariable: value is not JSON-serialisable: BigInt');
    expect(current.ws!.outFiles()).toEqual([]);
  });

  it('condition writes true or false and rejects anything that is not a boolean', () => {
    const r = run(
      [
        "const c = require('cronium');",
        'c.condition(true);',
        "console.log(require('fs').readFileSync('out/condition.json', 'utf8').trim());",
        'c.condition(false);',
        "for (const v of [1, 0, 'true', null, undefined, new Boolean(true)]) { try { c.condition(v); } catch (e) { console.log(e.message); } }",
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'true',
      'cronium.condition: expected true or false, got number: 1',
      'cronium.condition: expected true or false, got number: 0',
      'cronium.condition: expected true or false, got string: "true"',
      'cronium.condition: expected true or false, got object: null',
      'cronium.condition: expected true or false, got undefined: undefined',
      'cronium.condition: expected true or false, got object: true',
    ]);
    expect(current.ws!.outText('condition.json')).toBe('false\n');
  });

  it('output of a value that is not JSON-serialisable (BigInt, circular, undefined) fails clearly and writes nothing', () => {
    const r = run(
      [
        "const c = require('cronium');",
        'const loop = {}; loop.self = loop;',
        'for (const v of [10n, { n: 1n }, loop, undefined, () => 1, Symbol("s")]) { try { c.output(v); } catch (e) { console.log(e.name, e instanceof c.CroniumError, e.message); } }',
        'c.output({ n: 2n });',
      ].join('\n'),
    );
    expect(lines(r.stdout)).toEqual([
      'CroniumError true cronium.output: value is not JSON-serialisable: BigInt',
      'CroniumError true cronium.output: value is not JSON-serialisable: BigInt',
      'CroniumError true cronium.output: value is not JSON-serialisable: circular reference',
      'CroniumError true cronium.output: value is not JSON-serialisable: undefined',
      'CroniumError true cronium.output: value is not JSON-serialisable: function',
      'CroniumError true cronium.output: value is not JSON-serialisable: symbol',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CroniumError: cronium.output: value is not JSON-serialisable: BigInt');
    expect(current.ws!.outFiles()).toEqual([]);
  });

  it('output over 256 KiB is refused', () => {
    const r = run(
      [
        "const c = require('cronium');",
        "try { c.output('a'.repeat(270000)); } catch (e) { console.log(e.message); }",
        "c.output('a'.repeat(1000));",
      ].join('\n'),
    );
    expect(r.stdout).toBe('cronium.output: the output is 270003 bytes as JSON; the limit is 262144 (256 KiB)\n');
    expect(current.ws!.outJson('output.json')).toBe('a'.repeat(1000));
  });

  it('says CRONIUM_WORKSPACE is not set, for every function', () => {
    const r = run(
      [
        "const c = require('cronium');",
        "const calls = [() => c.input(), () => c.context(), () => c.getVariable('k'), () => c.setVariable('k', 1), () => c.output(1), () => c.condition(true)];",
        'for (const call of calls) { try { call(); } catch (e) { console.log(e.message); } }',
      ].join('\n'),
      {},
      { noWorkspaceEnv: true },
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(Array(6).fill(NoWorkspace));
  });

  it('names the file when in/ holds something that is not JSON', () => {
    const r = run(
      [
        "const c = require('cronium');",
        "for (const f of [() => c.input(), () => c.getVariable('a')]) { try { f(); } catch (e) { console.log(e.message); } }",
      ].join('\n'),
      { inputText: '{"x":', variablesText: '[1]' },
    );
    expect(lines(r.stdout)).toEqual([
      expect.stringMatching(/^cronium\.input: in\/input\.json is not valid JSON: /),
      'cronium.getVariable: in/variables.json does not hold a JSON object',
    ]);
  });

  it('the package: an exports map with require and import, and the same names in both entries', () => {
    const pkg = JSON.parse(readFileSync(join(HelpersDir, 'node', 'package.json'), 'utf8')) as {
      name: string;
      exports: { '.': Record<string, string> };
    };
    expect(pkg.name).toBe('cronium');
    expect(pkg.exports['.']).toMatchObject({ require: './cronium.js', import: './cronium.mjs' });
    current.ws = Workspace.create('node', '', {
      extraIn: {
        'script.mjs': [
          "import * as esm from 'cronium';",
          "import { createRequire } from 'node:module';",
          'const cjs = createRequire(import.meta.url)("cronium");',
          'console.log(JSON.stringify([Object.keys(esm).filter((k) => k !== "default").sort(), Object.keys(cjs).sort(), esm.default === cjs, esm.output === cjs.output]));',
        ].join('\n'),
      },
    });
    const r = current.ws.run('node', { file: 'in/script.mjs' });
    expect(r.stderr).toBe('');
    const [esmNames, cjsNames, sameDefault, sameFn] = JSON.parse(r.stdout) as [string[], string[], boolean, boolean];
    expect(esmNames).toEqual(cjsNames);
    expect(cjsNames).toEqual(
      expect.arrayContaining(['input', 'output', 'getVariable', 'setVariable', 'context', 'condition', 'CroniumError']),
    );
    expect(sameDefault).toBe(true);
    expect(sameFn).toBe(true);
  });
});
