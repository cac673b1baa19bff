/**
 * cronium.py under the real python3, in a workspace laid out as the runner does (PYTHONPATH set).
 */
import { describe, expect, it } from 'vitest';
import { lines, NoWorkspace, type RunOptions, Workspace, workspacePerTest, type WorkspaceSeed } from './workspace';

describe('cronium.py (python)', () => {
  const current = workspacePerTest();

  const run = (script: string, seed: WorkspaceSeed = {}, options: RunOptions = {}) => {
    current.ws = Workspace.create('python', script, seed);
    return current.ws.run('python', options);
  };

  const variables = { greeting: 'hello', count: 3, cfg: { a: [1, 2] }, nothing: null };

  it('a complete script: input to output, variables, context and condition', () => {
    const r = run(
      [
        'import cronium',
        'data = cronium.input()',
        'ctx = cronium.context()',
        'seen = cronium.get_variable("count") or 0',
        'cronium.set_variable("count", seen + len(data["items"]))',
        'cronium.output({"total": sum(data["items"]), "job": ctx["jobId"], "seen": cronium.getVariable("count")})',
        'cronium.condition(sum(data["items"]) > 5)',
      ].join('\n'),
      { input: { items: [1, 2, 3] }, variables },
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(current.ws!.outJson('output.json')).toEqual({ total: 6, job: 'job-123', seen: 6 });
    expect(current.ws!.outJson('variables.json')).toEqual({ count: 6 });
    expect(current.ws!.outJson('condition.json')).toBe(true);
    expect(current.ws!.outFiles()).toEqual(['condition.json', 'output.json', 'variables.json']);
  });

  it('input flows to output unchanged, null included', () => {
    const input = { name: 'Ada "the" Countess', list: [1, 2.5, null, true], text: 'é\n😀', nested: { deep: {} } };
    const r = run('import cronium\ncronium.output(cronium.input())', { input });
    expect(r.code).toBe(0);
    expect(current.ws!.outJson('output.json')).toEqual(input);
    current.ws!.remove();

    const none = run('import cronium\nprint(repr(cronium.input()))\ncronium.output(cronium.input())');
    expect(none.stdout).toBe('None\n');
    expect(current.ws!.outText('output.json')).toBe('null\n');
  });

  it('context() returns the parsed in/context.json', () => {
    const r = run('import cronium, json\nprint(json.dumps(cronium.context(), sort_keys=True))');
    expect(JSON.parse(r.stdout)).toMatchObject({
      jobId: 'job-123',
      tenant: 't1',
      eventName: 'nightly report',
      attempt: 1,
      workflowRunId: null,
    });
  });

  it("get_variable sees the runner's variables and this run's own; None when unset", () => {
    const r = run(
      [
        'import cronium',
        'print(repr(cronium.get_variable("greeting")), repr(cronium.getVariable("cfg")), repr(cronium.get_variable("nothing")), repr(cronium.get_variable("unset")))',
        'cronium.set_variable("greeting", "changed")',
        'cronium.setVariable("fresh", [1])',
        'print(repr(cronium.get_variable("greeting")), repr(cronium.get_variable("fresh")), repr(cronium.get_variable("count")))',
      ].join('\n'),
      { variables },
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(["'hello' {'a': [1, 2]} None None", "'changed' [1] 3"]);
  });

  it('set_variable twice merges into out/variables.json, written atomically', () => {
    const r = run(
      [
        'import cronium',
        'cronium.set_variable("a", 1)',
        'cronium.set_variable("b", {"x": "é"})',
        'cronium.set_variable("a", 2)',
        'cronium.set_variable("c.d-e_f", None)',
      ].join('\n'),
      { variables },
    );
    expect(r.code).toBe(0);
    expect(current.ws!.outJson('variables.json')).toEqual({ a: 2, b: { x: 'é' }, 'c.d-e_f': null });
    expect(current.ws!.outFiles()).toEqual(['variables.json']);
  });

  it('set_variable and get_variable reject bad keys; set_variable rejects values that are not JSON', () => {
    const r = run(
      [
        'import cronium',
        `for key in ["bad key", "9lives", "", "k" + "x" * 128, 42, "a\\n"]:`,
        '    try:',
        '        cronium.set_variable(key, 1)',
        '    except cronium.CroniumError as e:',
        '        print(e)',
        'try:',
        '    cronium.get_variable("no way")',
        'except cronium.CroniumError as e:',
        '    print(e)',
        'try:',
        '    cronium.set_variable("ok", {1, 2})',
        'except cronium.CroniumError as e:',
        '    print(e)',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    const out = lines(r.stdout);
    expect(out).toHaveLength(8);
    expect(out[0]).toBe("cronium.setVariable: invalid variable key 'bad key': it must match ^[A-Za-z_][A-Za-z0-9_.-]{0,127}$");
    for (const l of out.slice(1, 6)) expect(l).toMatch(/^cronium\.setVariable: invalid variable key /);
    expect(out[6]).toMatch(/^cronium\.getVariable: invalid variable key 'no way'/);
    expect(out[7]).toBe('cronium.setVariable: value is not JSON-serialisable: set');
    expect(current.ws!.outFiles()).toEqual([]);
  });

  it('condition writes true or false and rejects anything that is not a bool', () => {
    const r = run(
      [
        'import cronium',
        'cronium.condition(True)',
        'print(open("out/condition.json").read().strip())',
        'cronium.condition(False)',
        'for v in [1, 0, "true", None]:',
        '    try:',
        '        cronium.condition(v)',
        '    except cronium.CroniumError as e:',
        '        print(e)',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      'true',
      'cronium.condition: expected True or False, got int: 1',
      'cronium.condition: expected True or False, got int: 0',
      "cronium.condition: expected True or False, got str: 'true'",
      'cronium.condition: expected True or False, got NoneType: None',
    ]);
    expect(current.ws!.outText('condition.json')).toBe('false\n');
  });

  it('output of a value that is not JSON-serialisable fails clearly and writes nothing', () => {
    const r = run(
      [
        'import cronium',
        'loop = []',
        'loop.append(loop)',
        'for v in [{1, 2}, {"when": object()}, loop, float("nan"), {(1, 2): 3}]:',
        '    try:',
        '        cronium.output(v)',
        '    except cronium.CroniumError as e:',
        '        print(e)',
        'cronium.output({"s": {3}})',
      ].join('\n'),
    );
    expect(lines(r.stdout)).toEqual([
      'cronium.output: value is not JSON-serialisable: set',
      'cronium.output: value is not JSON-serialisable: object',
      'cronium.output: value is not JSON-serialisable: circular reference',
      'cronium.output: value is not JSON-serialisable: float NaN or infinity (JSON has neither)',
      'cronium.output: value is not JSON-serialisable: keys must be str, int, float, bool or None, not tuple',
    ]);
    // Uncaught, it ends the script with the message.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cronium\.CroniumError: cronium\.output: value is not JSON-serialisable: set\n$/);
    expect(current.ws!.outFiles()).toEqual([]);
  });

  it('output over 256 KiB is refused', () => {
    const r = run(
      [
        'import cronium',
        'try:',
        '    cronium.output("a" * 270000)',
        'except cronium.CroniumError as e:',
        '    print(e)',
        'cronium.output("a" * 1000)',
      ].join('\n'),
    );
    expect(r.stdout).toBe('cronium.output: the output is 270003 bytes as JSON; the limit is 262144 (256 KiB)\n');
    expect(current.ws!.outJson('output.json')).toBe('a'.repeat(1000));
  });

  it('says CRONIUM_WORKSPACE is not set, for every function', () => {
    const r = run(
      [
        'import cronium',
        'calls = [cronium.input, cronium.context, lambda: cronium.get_variable("k"), lambda: cronium.set_variable("k", 1),',
        '         lambda: cronium.output(1), lambda: cronium.condition(True)]',
        'for call in calls:',
        '    try:',
        '        call()',
        '    except cronium.CroniumError as e:',
        '        print(e)',
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
        'import cronium',
        'for f in [cronium.input, lambda: cronium.get_variable("a")]:',
        '    try:',
        '        f()',
        '    except cronium.CroniumError as e:',
        '        print(e)',
      ].join('\n'),
      { inputText: '{"x":', variablesText: '[1]' },
    );
    expect(lines(r.stdout)).toEqual([
      expect.stringMatching(/^cronium\.input: in\/input\.json is not valid JSON: /),
      'cronium.getVariable: in/variables.json does not hold a JSON object',
    ]);
  });

  it('has type hints and snake_case aliases', () => {
    const r = run(
      [
        'import cronium, typing',
        'names = ["input", "output", "get_variable", "set_variable", "context", "condition"]',
        'print(all(typing.get_type_hints(getattr(cronium, n)).get("return", "missing") != "missing" for n in names))',
        'print(cronium.getVariable is cronium.get_variable, cronium.setVariable is cronium.set_variable)',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(['True', 'True True']);
  });
});
