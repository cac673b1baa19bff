/**
 * The complete examples of docs/helpers/*.md run as written and give what the pages say.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Runtime, Workspace, workspacePerTest } from './workspace';

const page = (name: string) => readFileSync(new URL(`../../docs/helpers/${name}`, import.meta.url), 'utf8');

/** The first fenced block of `lang` under the heading "A complete example", and the input it states. */
const example = (text: string, lang: string): { code: string; input: unknown } => {
  const section = text.split('## A complete example')[1]?.split('\n## ')[0];
  if (!section) throw new Error('no complete example');
  const code = section.split(`\`\`\`${lang}\n`)[1]?.split('\n```')[0];
  const input = section.match(/^Input: `(.*)`\.$/m)?.[1];
  if (!code || !input) throw new Error('example without code or input');
  return { code, input: JSON.parse(input) as unknown };
};

describe('docs/helpers examples', () => {
  const current = workspacePerTest();

  const cases: [string, Runtime, string, unknown, string][] = [
    ['bash.md', 'bash', 'bash', { sum: 87, count: 3, currency: 'EUR' }, 'sum 87 EUR\n'],
    ['python.md', 'python', 'python', { total: 75, currency: 'EUR', orders: 2 }, 'total 75 EUR\n'],
    ['node.md', 'node', 'js', { total: 75, currency: 'EUR', orders: 2 }, 'total 75 EUR\n'],
  ];

  it.each(cases)('%s: the complete example runs twice and sets output, condition and variables', (file, runtime, lang, output, stdout) => {
    const { code, input } = example(page(file), lang);
    current.ws = Workspace.create(runtime, code, { input });
    for (const runs of [1, 2]) {
      const r = current.ws.run(runtime);
      expect(r).toEqual({ code: 0, stdout, stderr: '' });
      expect(current.ws.outJson('output.json')).toEqual(output);
      expect(current.ws.outJson('condition.json')).toBe(true);
      expect(current.ws.outJson('variables.json')).toMatchObject({ runs_seen: runs });
      expect(Object.keys(current.ws.outJson('variables.json') as object).sort()).toEqual(['last_job', 'runs_seen']);
    }
  });
});
