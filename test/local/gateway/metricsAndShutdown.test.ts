import { describe, expect, it } from 'vitest';
import { useGateway } from './harness';

const endpoint = (token?: string) => ({
  render: async () => 'cronium_up 1\n',
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  ...(token ? { token } : {}),
});

describe('the local gateway /metrics endpoint', () => {
  const start = useGateway();

  it('serves the Prometheus text to a loopback client without a key, outside the REST authorizer', async () => {
    let authorized = 0;
    const { url } = await start({
      metrics: endpoint(),
      restAuthorizer: async () => {
        authorized++;
        throw new Error('not for /metrics');
      },
    });

    const res = await fetch(`${url}/metrics`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe('cronium_up 1\n');
    expect(authorized).toBe(0);
  });

  it('wants the bearer token when one is set', async () => {
    const { url } = await start({ metrics: endpoint('s3cret-token') });

    const none = await fetch(`${url}/metrics`);
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    const right = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } });

    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(200);
  });

  it('answers 405 to a method other than GET', async () => {
    const { url } = await start({ metrics: endpoint() });

    const res = await fetch(`${url}/metrics`, { method: 'POST' });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('closing the local gateway', () => {
  const start = useGateway();

  it('lets a REST request being answered finish, and takes no new connection meanwhile', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const { url, gateway } = await start({
      rest: async () => {
        await slow;
        return { statusCode: 200, body: 'done' };
      },
    });
    const inFlight = fetch(`${url}/jobs`);
    await new Promise((r) => setTimeout(r, 100));

    const closing = gateway.close({ graceMs: 5_000 });
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(`${url}/jobs`).then(
      () => 'answered',
      () => 'refused',
    );
    release();
    const res = await inFlight;
    await closing;

    expect(refused).toBe('refused');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('done');
  });

  it('gives up on a request after the grace period', async () => {
    const { url, gateway } = await start({ rest: () => new Promise(() => {}) });
    const inFlight = fetch(`${url}/jobs`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();

    await gateway.close({ graceMs: 200 });

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await inFlight).toBe('cut');
  });
});
