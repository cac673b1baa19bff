import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeStreamed } from '../../../lambdas/local/gateway/writeStreamed';

const CHUNK = 'x'.repeat(64 * 1024);
const silent = { info() {}, warn() {}, error() {} };

let server: Server | undefined;
afterEach(() => server?.close());

/** A server streaming `chunks` chunks of 64 KiB; reports how many the body produced and whether it was closed. */
const serve = async (chunks: number, failAt?: number) => {
  const state = { produced: 0, finished: false };
  async function* body() {
    try {
      for (let i = 0; i < chunks; i++) {
        if (i === failAt) throw new Error('store failed');
        state.produced++;
        yield CHUNK;
      }
    } finally {
      state.finished = true;
    }
  }
  server = createServer(
    (_req, res) => void writeStreamed(res, { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: body() }, 'r1', silent),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, state };
};

const request = (url: string) => new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).on('error', reject));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('writeStreamed (the local gateway writing a streamed response)', () => {
  it('produces the body only as fast as the client reads: a paused client holds it to a few chunks', async () => {
    const { url, state } = await serve(1000);
    const res = await request(url);
    res.pause();
    await sleep(300);

    // 1,000 chunks are 64 MiB; what was produced is what the socket buffers took.
    expect(state.produced).toBeLessThan(200);
    res.destroy();
    await sleep(100);
    expect(state.finished).toBe(true);
    expect(state.produced).toBeLessThan(200);
  });

  it('writes every chunk to a client that reads, chunked', async () => {
    const { url } = await serve(50);
    const res = await request(url);
    let bytes = 0;
    for await (const chunk of res) bytes += (chunk as Buffer).length;

    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(bytes).toBe(50 * CHUNK.length);
  });

  it('cuts the connection when the body fails mid-way, so the client cannot take it for the whole', async () => {
    const { url } = await serve(50, 10);
    const res = await request(url);
    const read = (async () => {
      for await (const _ of res) void _;
    })();

    await expect(read).rejects.toThrow(/aborted/);
  });
});
