/**
 * cronium.sh under the real bash, in a workspace laid out as the runner does (BASH_ENV set).
 */
import { describe, expect, it } from 'vitest';
import { lines, NoWorkspace, type RunOptions, Workspace, workspacePerTest, type WorkspaceSeed } from './workspace';

describe('cronium.sh (bash)', () => {
  const current = workspacePerTest();

  const run = (script: string, seed: WorkspaceSeed = {}, options: RunOptions = {}) => {
    current.ws = Workspace.create('bash', script, seed);
    return current.ws.run('bash', options);
  };

  describe('loading', () => {
    it('BASH_ENV defines every function before the script, silently', () => {
      const r = run(
        [
          'for f in cronium cronium_input cronium_context cronium_get_variable cronium_set_variable \\',
          '  cronium_set_variable_string cronium_output cronium_output_string cronium_condition; do',
          '  declare -F "$f" >/dev/null || echo "missing $f"',
          'done',
          'echo done',
        ].join('\n'),
      );
      expect(r).toEqual({ code: 0, stdout: 'done\n', stderr: '' });
    });

    it('sourcing it prints nothing, sets no variable and keeps the options of a `set -euo pipefail` caller', () => {
      const r = run(
        [
          'set -euo pipefail',
          'shopt -s nullglob',
          'o1= o2= v1= v2= rc=',
          'o1=$(set +o; shopt -p)',
          'v1=$(compgen -v)',
          '. "${0%/*}/../lib/cronium.sh"',
          'rc=$?',
          'o2=$(set +o; shopt -p)',
          'v2=$(compgen -v)',
          'printf "rc=%s flags=%s\\n" "$rc" "$-"',
          'if [[ $o1 == "$o2" ]]; then echo same-options; else echo "changed: $o2"; fi',
          'printf "%s\\n" "--- before" "$v1" "--- after" "$v2"',
        ].join('\n'),
        {},
        { env: { BASH_ENV: '' } },
      );
      expect(r.stderr).toBe('');
      const [head, rest] = [r.stdout.split('--- before\n')[0]!, r.stdout.split('--- before\n')[1]!];
      expect(head).toMatch(/^rc=0 flags=[a-zA-Z]*\nsame-options\n$/);
      expect(head).toMatch(/flags=\w*e\w*/);
      expect(head).toMatch(/flags=\w*u\w*/);
      const [before, after] = rest.split('--- after\n').map((s) => new Set(lines(s)));
      const added = [...after!].filter((v) => !before!.has(v));
      expect(added.filter((v) => !/^(_cronium_|CRONIUM_)/.test(v))).toEqual([]);
    });

    it('sourcing it into a shell without -e/-u leaves them off, and the helpers work the same', () => {
      const r = run(
        ['. "${0%/*}/../lib/cronium.sh"', 'printf "%s\\n" "$-"', 'cronium_condition true', 'printf "%s\\n" "$-"'].join('\n'),
        {},
        {
          env: { BASH_ENV: '' },
        },
      );
      expect(r.code).toBe(0);
      const [f1, f2] = lines(r.stdout);
      expect(f1).toBe(f2);
      expect(f1).not.toMatch(/[eu]/);
      expect(current.ws!.outJson('condition.json')).toBe(true);
    });

    it('the helpers leave errexit, nounset, pipefail and nocasematch as they found them, even when they fail', () => {
      const r = run(
        [
          'set -euo pipefail',
          'shopt -s nocasematch',
          'state() { printf "%s|%s|%s" "$-" "$(shopt -po pipefail)" "$(shopt -p nocasematch)"; }',
          'before=$(state)',
          'cronium_input >/dev/null',
          'cronium_set_variable a 1',
          'cronium_get_variable a >/dev/null',
          'cronium_condition maybe 2>/dev/null || true',
          'cronium_output "{bad" 2>/dev/null || true',
          'after=$(state)',
          '[[ $before == "$after" ]] && echo same || echo "before=$before after=$after"',
        ].join('\n'),
      );
      expect(r).toEqual({ code: 0, stdout: 'same\n', stderr: '' });
    });

    it('does not flood an xtrace (set -x) log with its internals', () => {
      const r = run(
        ['set -x', 'cronium_set_variable cfg \'{"a":[1,2,3],"b":{"c":"d"}}\'', 'cronium_get_variable cfg >/dev/null'].join('\n'),
      );
      expect(r.code).toBe(0);
      expect(lines(r.stderr).length).toBeLessThanOrEqual(6); // the two calls and their returns
    });
  });

  describe('input and context', () => {
    const input = { name: 'Ada "the" Countess', n: [1, { x: ']}' }], nested: { deep: true }, text: 'é\n😀' };

    it('input flows to output unchanged', () => {
      const r = run(['set -euo pipefail', 'cronium_output "$(cronium_input)"'].join('\n'), { input });
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(current.ws!.outJson('output.json')).toEqual(input);
    });

    it('prints the whole input, a top-level field as JSON, or with -r a string as text', () => {
      const r = run(
        [
          'set -euo pipefail',
          'cronium_input',
          'cronium_input name',
          'cronium_input -r name',
          'cronium_input n',
          'cronium_input nested',
          'cronium_input -r text',
          'echo "missing=[$(cronium_input missing)]"',
        ].join('\n'),
        { input },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        [
          JSON.stringify(input),
          '"Ada \\"the\\" Countess"',
          'Ada "the" Countess',
          '[1,{"x":"]}"}]',
          '{"deep":true}',
          'é',
          '😀',
          'missing=[]',
          '',
        ].join('\n'),
      );
    });

    it('prints null for a run without input', () => {
      const r = run('cronium_input; cronium_input -r');
      expect(r.stdout).toBe('null\nnull\n');
    });

    it('prints the context and its fields', () => {
      const r = run(
        [
          'set -euo pipefail',
          'cronium_context',
          'cronium_context -r jobId',
          'cronium_context attempt',
          'cronium_context workflowRunId',
        ].join('\n'),
      );
      const [whole, ...fields] = lines(r.stdout);
      expect(JSON.parse(whole!)).toMatchObject({ jobId: 'job-123', tenant: 't1', attempt: 1 });
      expect(fields).toEqual(['job-123', '1', 'null']);
    });

    it('names the file when the input is not valid JSON and a field is asked for', () => {
      const r = run('cronium_input x; echo "rc=$?"', { inputText: '{"x":' });
      expect(r.stdout).toBe('rc=1\n');
      expect(r.stderr).toBe('cronium_input: in/input.json is not valid JSON: the JSON text ends too early\n');
    });
  });

  describe('variables', () => {
    const variables = {
      greeting: 'hello world',
      count: 3,
      cfg: { a: [1, 2], s: '}{"' },
      empty: '',
      nothing: null,
      secret_token: 's3cr3t-value',
    };

    it("getVariable prints the runner's values as JSON, strings as text with -r, and nothing when unset", () => {
      const r = run(
        [
          'set -euo pipefail',
          'cronium_get_variable greeting',
          'cronium_get_variable -r greeting',
          'cronium_get_variable count',
          'cronium_get_variable cfg',
          'cronium_get_variable nothing',
          'echo "empty=[$(cronium_get_variable -r empty)]"',
          'echo "unset=[$(cronium_get_variable unset_key)]"',
          'cronium_get_variable -r secret_token',
        ].join('\n'),
        { variables },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(
        ['"hello world"', 'hello world', '3', '{"a":[1,2],"s":"}{\\""}', 'null', 'empty=[]', 'unset=[]', 's3cr3t-value', ''].join('\n'),
      );
    });

    it('finds every key of a tricky in/variables.json exactly as JSON.parse does', () => {
      const tricky: Record<string, unknown> = {
        a: 'quote " backslash \\ slash / tab \t newline \n',
        b: { 'x"y': ['}', ']', '{', '[', ',', ':'], z: { deep: [[[]]] } },
        c: -12.5e-3,
        d: [true, false, null, '', {}],
        'e.f-g_h': '\u0001\u001f\u2028é😀',
        i: '"i":"decoy"',
      };
      const keys = Object.keys(tricky);
      const script = ['set -euo pipefail', ...keys.map((k) => `cronium_get_variable '${k}'; printf '\\0'`)].join('\n');
      for (const variablesText of [JSON.stringify(tricky), `${JSON.stringify(tricky, null, 2)}\n`]) {
        const r = run(script, { variablesText });
        expect(r.stderr).toBe('');
        const values = r.stdout
          .split('\0')
          .slice(0, -1)
          .map((v) => JSON.parse(v) as unknown);
        expect(values).toEqual(keys.map((k) => tricky[k]));
        current.ws!.assertInUntouched();
        current.ws!.remove();
        current.ws = undefined;
      }
    });

    it("setVariable merges into out/variables.json; getVariable sees this run's values first", () => {
      const r = run(
        [
          'set -euo pipefail',
          'cronium_set_variable count 1',
          'cronium_set_variable name \'"Ada"\'',
          'cronium_set_variable count \' {"n": 2} \'',
          'cronium_set_variable greeting \'"changed"\'',
          'cronium_get_variable count',
          'cronium_get_variable -r greeting',
          'cronium_get_variable -r cfg',
        ].join('\n'),
        { variables },
      );
      expect(r.stderr).toBe('');
      expect(lines(r.stdout)).toEqual(['{"n": 2}', 'changed', '{"a":[1,2],"s":"}{\\""}']);
      expect(current.ws!.outJson('variables.json')).toEqual({ count: { n: 2 }, name: 'Ada', greeting: 'changed' });
      expect(current.ws!.outFiles()).toEqual(['variables.json']); // the temporary file was renamed
    });

    it('setVariable keeps what the script wrote to out/variables.json itself', () => {
      current.ws = Workspace.create('bash', "set -e\ncronium_set_variable b '[1]'\ncronium_get_variable a");
      current.ws.writeOut('variables.json', '{\n  "a": {"x": "y"},\n  "b": 0\n}\n');
      const r = current.ws.run('bash');
      expect(r.stdout).toBe('{"x": "y"}\n');
      expect(current.ws.outJson('variables.json')).toEqual({ a: { x: 'y' }, b: [1] });
    });

    it('setVariable rejects a bad key or a value that is not JSON, and writes nothing', () => {
      const long = `k${'x'.repeat(128)}`;
      const r = run(
        [
          'for args in "bad key|1" "9lives|1" "' + long + '|1" "ok|not json" "ok|" "ok|{\\"a\\":}" "ok|\'single\'"; do',
          '  cronium_set_variable "${args%%|*}" "${args#*|}"; echo "rc=$?"',
          'done',
          'cronium_set_variable only_key; echo "rc=$?"',
        ].join('\n'),
      );
      expect(lines(r.stdout)).toEqual(Array(8).fill('rc=1'));
      const errors = lines(r.stderr);
      expect(errors[0]).toBe("cronium_set_variable: invalid variable key 'bad key': it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$");
      expect(errors[1]).toContain("invalid variable key '9lives'");
      expect(errors[2]).toContain('invalid variable key');
      expect(errors[3]).toMatch(/^cronium_set_variable: the value for 'ok' is not valid JSON \(.*\); give a JSON value, e\.g\. '"text"'/);
      expect(errors[4]).toContain('(the text is empty)');
      expect(errors[5]).toContain('not valid JSON');
      expect(errors[6]).toContain('not valid JSON');
      expect(errors[7]).toBe('cronium_set_variable: usage: cronium_set_variable KEY JSON (e.g. cronium_set_variable name \'"text"\')');
      expect(current.ws!.outFiles()).toEqual([]);
    });

    it('getVariable rejects a bad key', () => {
      const r = run('cronium_get_variable "no way"; echo "rc=$?"');
      expect(r.stdout).toBe('rc=1\n');
      expect(r.stderr).toContain("cronium_get_variable: invalid variable key 'no way'");
    });
  });

  describe('output and condition', () => {
    it('output writes the JSON given; under set -e an invalid value stops the script', () => {
      const ok = run(['set -euo pipefail', 'cronium_output \'{"ok": true, "items": [1, 2]}\''].join('\n'));
      expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(current.ws!.outJson('output.json')).toEqual({ ok: true, items: [1, 2] });
      current.ws!.remove();

      const bad = run(['set -euo pipefail', 'cronium_output "hello"', 'echo reached'].join('\n'));
      expect(bad.code).toBe(1);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toMatch(
        /^cronium_output: the value is not valid JSON \(expected a JSON value at byte 0\); give a JSON value, e\.g\. '\{"ok":true\}', or use cronium_output_string for plain text\n$/,
      );
      expect(current.ws!.outFiles()).toEqual([]);
    });

    it('output rejects empty and malformed JSON with a clear message', () => {
      const r = run(
        [
          `for v in '' '   ' '{"a":' '[1,2' '{"a" 1}' '01' 'tru' '"unterminated' '[1]x' '{"a":1}}'; do`,
          '  cronium_output "$v"; echo "rc=$?"',
          'done',
          'cronium_output; echo "rc=$?"',
        ].join('\n'),
      );
      expect(lines(r.stdout)).toEqual(Array(11).fill('rc=1'));
      const errors = lines(r.stderr);
      expect(errors).toHaveLength(11);
      expect(errors[0]).toContain('cronium_output: the value is not valid JSON (the text is empty)');
      expect(errors[1]).toContain('(the text is empty)');
      for (const e of errors.slice(0, 10)) expect(e).toMatch(/^cronium_output: the value is not valid JSON \(/);
      expect(errors[10]).toMatch(/^cronium_output: usage: cronium_output JSON/);
      expect(current.ws!.outFiles()).toEqual([]);
    });

    it('accepts exactly what JSON.parse accepts (fixed and generated cases)', () => {
      const fixed = [
        '{}',
        '[]',
        '{"a":1,}',
        '[1,]',
        '[,1]',
        '{"a"}',
        '{:1}',
        '{1:1}',
        '"\\x"',
        '"\\u12g4"',
        '"\\u00e9"',
        '-0',
        '-0.0e+5',
        '1e',
        '1.e3',
        '.5',
        '+1',
        '1.5E-3',
        'true',
        'truex',
        'null',
        'nul',
        '[true false]',
        '"\t"',
        '"a\nb"',
        '"\u007f"',
        '"é😀"',
        '[[[[]]]]',
        '[[[[]]]',
        '[{]}',
        '{"a":[}]',
        ' \n [ 1 , 2 ] \n',
        '1 2',
        '"a" "b"',
        '{"\\"":1}',
        'NaN',
        '[01]',
        '[-01]',
        '{"a":{"b":{"c":[1,{"d":"}"}]}}}',
      ];
      // Deterministic generator: valid documents, then damaged copies of them.
      let seed = 7;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor(seed / 65536) % n);
      const chars = 'ab"\\\n é😀{}[],:/u\u0001';
      const str = () => Array.from({ length: rnd(5) }, () => chars[rnd(chars.length)]).join('');
      const value = (d: number): unknown => {
        const k = rnd(d > 2 ? 4 : 6);
        if (k === 0) return rnd(2000) - 1000 + (rnd(2) ? rnd(100) / 8 : 0);
        if (k === 1) return str();
        if (k === 2) return [true, false, null][rnd(3)];
        if (k === 3) return rnd(2) ? 1e21 : -2.5e-7;
        if (k === 4) return Array.from({ length: rnd(4) }, () => value(d + 1));
        return Object.fromEntries(Array.from({ length: rnd(4) }, () => [str(), value(d + 1)]));
      };
      const generated = Array.from({ length: 150 }, () => {
        let t = JSON.stringify(value(0), null, rnd(3) === 0 ? 1 : undefined);
        const at = rnd(t.length + 1);
        const m = rnd(6);
        if (m === 1) t = t.slice(0, at) + t.slice(at + 1);
        else if (m === 2) t = t.slice(0, at) + '{}[],:"\\ 1tx-.e'[rnd(16)]! + t.slice(at);
        else if (m === 3) t = t.slice(0, at);
        return t;
      });
      const cases = [...fixed, ...generated];
      const accepted = (t: string) => {
        try {
          JSON.parse(t);
          return t.trim() !== '';
        } catch {
          return false;
        }
      };
      const r = run(
        ["while IFS= read -r -d '' v; do", '  if cronium_output "$v" 2>/dev/null; then echo 1; else echo 0; fi', 'done <in/cases.bin'].join(
          '\n',
        ),
        { extraIn: { 'cases.bin': cases.map((c) => `${c}\0`).join('') } },
      );
      expect(lines(r.stdout).map((l) => l === '1')).toEqual(cases.map(accepted));
      expect(cases.filter(accepted).length).toBeGreaterThan(50);
      expect(cases.filter((c) => !accepted(c)).length).toBeGreaterThan(50);
    });

    it('a large output round-trips, and one over 256 KiB is refused', () => {
      const big = Array.from({ length: 1500 }, (_, i) => ({ id: i, name: `item "${i}"`, tags: ['a', 'b\n'], ok: i % 2 === 0 }));
      const r = run(
        [
          'set -euo pipefail',
          'big=$(<in/big.json)',
          'cronium_output "$big"',
          'huge=$(head -c 270000 /dev/zero | tr "\\0" a)',
          'cronium_output_string "$huge" || echo "rc=$?"',
        ].join('\n'),
        { extraIn: { 'big.json': JSON.stringify(big) } },
      );
      expect(r.stdout).toBe('rc=1\n');
      expect(r.stderr).toBe('cronium_output_string: the output is 270003 bytes as JSON; the limit is 262144 (256 KiB)\n');
      expect(current.ws!.outJson('output.json')).toEqual(big);
    });

    it('condition writes true or false, and rejects anything else', () => {
      const t = run('set -e; cronium_condition true');
      expect(t.code).toBe(0);
      expect(current.ws!.outText('condition.json')).toBe('true\n');
      current.ws!.remove();

      const f = run('set -e; cronium_condition false');
      expect(f.code).toBe(0);
      expect(current.ws!.outJson('condition.json')).toBe(false);
      current.ws!.remove();

      const bad = run(
        [`for v in yes TRUE 1 0 '' '"true"'; do cronium_condition "$v"; echo "rc=$?"; done`, 'cronium_condition; echo "rc=$?"'].join('\n'),
      );
      expect(lines(bad.stdout)).toEqual(Array(7).fill('rc=1'));
      expect(lines(bad.stderr)[0]).toBe('cronium_condition: expected true or false, got: yes');
      expect(current.ws!.outFiles()).toEqual([]);
    });
  });

  describe('string helpers', () => {
    const text = "quote \" backslash \\ slash / newline \n tab \t cr \r ctl \u0001\u001f del \u007f é 中文 😀 & $HOME `x` 's' \\n\n\n";

    it('escape quotes, backslashes, control characters and unicode so JSON.parse gives the text back', () => {
      const r = run(
        [
          'set -euo pipefail',
          "IFS= read -r -d '' t <in/text.txt || true",
          'cronium_output_string "$t"',
          'cronium_set_variable_string note "$t"',
          'cronium_set_variable_string blank ""',
          'cronium_get_variable -r note',
        ].join('\n'),
        { extraIn: { 'text.txt': text } },
      );
      expect(r.stderr).toBe('');
      expect(current.ws!.outJson('output.json')).toBe(text);
      expect(current.ws!.outJson('variables.json')).toEqual({ note: text, blank: '' });
      expect(r.stdout).toBe(`${text}\n`); // -r decodes what the setter escaped
      // eslint-disable-next-line no-control-regex -- asserting no raw control character leaked into JSON
      expect(current.ws!.outText('output.json')).not.toMatch(/[\u0000-\u001f](?!$)/);
    });

    it('-r decodes \\u escapes, surrogate pairs included', () => {
      const r = run('cronium_get_variable -r u', { variablesText: '{"u":"\\u00e9\\u4e2d\\ud83d\\ude00\\n\\u0041\\/"}' });
      expect(r.stdout).toBe('é中😀\nA/\n');
    });
  });

  describe('the cronium dispatcher', () => {
    it('takes the names the other languages use', () => {
      const r = run(
        [
          'set -euo pipefail',
          'cronium input',
          'cronium context -r tenant',
          'cronium setVariable k \'"v"\'',
          "cronium setVariableString s 'a\"b'",
          'cronium getVariable -r k',
          'cronium getVariable s',
          'cronium outputString "done"',
          'cronium condition false',
          'cronium bogus || echo "rc=$?"',
          'cronium || echo "rc=$?"',
        ].join('\n'),
        { input: [1, 2] },
      );
      expect(lines(r.stdout)).toEqual(['[1,2]', 't1', 'v', '"a\\"b"', 'rc=1', 'rc=1']);
      expect(lines(r.stderr)[0]).toBe(
        "cronium: unknown command 'bogus' (expected input, context, getVariable, setVariable, setVariableString, output, outputString or condition)",
      );
      expect(current.ws!.outJson('output.json')).toBe('done');
      expect(current.ws!.outJson('condition.json')).toBe(false);
      expect(current.ws!.outJson('variables.json')).toEqual({ k: 'v', s: 'a"b' });
    });

    it('errors of the dispatcher name the command', () => {
      const r = run('cronium setVariable "bad key" 1');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("cronium setVariable: invalid variable key 'bad key'");
    });
  });

  describe('without a workspace', () => {
    it('every function says CRONIUM_WORKSPACE is not set, and set -e stops the script', () => {
      const calls = [
        'cronium_input',
        'cronium_context',
        'cronium_get_variable k',
        'cronium_set_variable k 1',
        'cronium_output 1',
        'cronium_condition true',
      ];
      const r = run(
        [...calls.map((c) => `${c}; echo "rc=$?"`), 'set -e', 'cronium_input', 'echo reached'].join('\n'),
        {},
        { noWorkspaceEnv: true },
      );
      expect(r.code).toBe(1);
      expect(lines(r.stdout)).toEqual(Array(calls.length).fill('rc=1'));
      expect(lines(r.stderr)).toEqual(Array(calls.length + 1).fill(NoWorkspace));
      expect(current.ws!.outFiles()).toEqual([]);
    });
  });
});
