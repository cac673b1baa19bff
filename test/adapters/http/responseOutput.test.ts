import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../../../lambdas/adapters/http/performRequest';
import { bodyText, encodeJobOutput, responseLogLines } from '../../../lambdas/adapters/http/responseOutput';

const result = (body: Buffer, truncated = false): HttpResult => ({
  url: new URL('https://api.example.com/x'),
  method: 'GET',
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] },
  body,
  truncated,
  redirects: 0,
});

describe('response body as text', () => {
  it('reads UTF-8 as text and anything else as binary', () => {
    expect(bodyText(Buffer.from('héllo ✓'), false)).toBe('héllo ✓');
    expect(bodyText(Buffer.from([0xc3, 0x28]), false)).toBeUndefined();
    expect(bodyText(Buffer.from('a\u0000b'), false)).toBeUndefined();
  });

  it('drops a character cut in half by truncation', () => {
    const cut = Buffer.from('ok ✓').subarray(0, 4);

    expect(bodyText(cut, true)).toBe('ok ');
    expect(bodyText(cut, false)).toBeUndefined();
  });
});

describe('output.json', () => {
  it('keeps repeated headers as lists', () => {
    const output = JSON.parse(encodeJobOutput(result(Buffer.from('hi')), 1024 * 1024)) as { headers: Record<string, unknown> };

    expect(output.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('cuts the body further when its JSON would not fit the out/ budget', () => {
    const body = Buffer.from('"\n'.repeat(20_000));

    const json = encodeJobOutput(result(body), 16 * 1024);

    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(16 * 1024);
    const output = JSON.parse(json) as { truncated: boolean; bytes: number; body: string };
    expect(output.truncated).toBe(true);
    expect(output.bytes).toBeGreaterThan(4 * 1024);
    expect(output.body).toBe('"\n'.repeat(output.bytes / 2));
  });
});

describe('response log lines', () => {
  it('cuts very long lines', () => {
    const lines = responseLogLines(result(Buffer.from('y'.repeat(20_000))), { elapsedMs: 5, maxBytes: 64 * 1024, maxBodyBytes: 1 << 20 });

    expect(lines[0]).toBe('← 200 OK (5 ms, 20000 bytes)');
    expect(lines[1]).toMatch(/^y{8192}… \(line cut\)$/);
  });
});
