import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedNetwork } from '../../../lambdas/adapters/http';
import { createToolActions } from '../../../lambdas/adapters/tools';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let receiver: Server;
let base: string;
let answer = 200;
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'thanks' : 'nope');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

const SECRET = 'whsec_test-signing-secret';
const NOW = Date.parse('2030-01-01T00:00:00Z');
const allowed = createToolActions({ network: createGuardedNetwork({ allow: ['127.0.0.1'] }), now: () => NOW });
const data = { jobId: 'j1', event: 'failed', status: 'failed', exitCode: 2, job: { id: 'j1', name: '<b>&"x"' } };

/** What a receiver does: recompute the HMAC over `<timestamp>.<body>` and compare. */
const verify = (r: Received, secret: string) => {
  const ts = r.headers['x-cronium-timestamp'] as string;
  const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${r.body}`).digest('hex')}`;
  return r.headers['x-cronium-signature'] === expected;
};

describe('webhook', () => {
  it('posts the rendered JSON body signed with HMAC-SHA256 over timestamp and body', async () => {
    received.length = 0;
    const result = await allowed.perform(
      {
        action: 'webhook',
        url: `${base}/hook/{{jobId}}`,
        method: 'PUT',
        headers: { 'X-Job': '{{job.id}}' },
        body: { text: 'job {{jobId}} {{event}}: {{job.name}}', code: 7, nested: ['{{exitCode}}'] },
      },
      data,
      { variables: {}, signingSecret: SECRET },
    );

    expect(result).toMatchObject({ ok: true, response: { status: 200, body: 'thanks' } });
    const [r] = received;
    expect(r).toMatchObject({ method: 'PUT', url: '/hook/j1' });
    expect(r!.headers['x-job']).toBe('j1');
    expect(r!.headers['content-type']).toBe('application/json');
    expect(r!.headers['x-cronium-timestamp']).toBe(String(NOW / 1000));
    // No HTML escaping: JSON carries the text as it is.
    expect(JSON.parse(r!.body)).toEqual({ text: 'job j1 failed: <b>&"x"', code: 7, nested: ['2'] });
    expect(verify(r!, SECRET)).toBe(true);
    expect(verify(r!, 'whsec_another')).toBe(false);
  });

  it('sends the whole payload when no body is given', async () => {
    received.length = 0;
    await allowed.perform({ action: 'webhook', url: `${base}/default` }, data, { variables: {}, signingSecret: SECRET });
    expect(JSON.parse(received[0]!.body)).toEqual(data);
    expect(received[0]!.method).toBe('POST');
  });

  it('reports a non-2xx answer as not ok, with the status in the summary', async () => {
    answer = 503;
    try {
      const result = await allowed.perform({ action: 'webhook', url: `${base}/down` }, data, { variables: {}, signingSecret: SECRET });
      expect(result.ok).toBe(false);
      expect(result.summary).toBe(`POST ${base}/down answered 503 Service Unavailable`);
    } finally {
      answer = 200;
    }
  });

  it('refuses a loopback receiver unless CRONIUM_HTTP_ALLOW opens it (the SSRF guard of http jobs), sending nothing', async () => {
    received.length = 0;
    const guarded = createToolActions({ network: createGuardedNetwork() });
    await expect(
      guarded.perform({ action: 'webhook', url: `${base}/internal` }, data, { variables: {}, signingSecret: SECRET }),
    ).rejects.toMatchObject({ code: 'http_error', message: expect.stringContaining('blocked range (loopback)') });
    await expect(
      guarded.perform({ action: 'slack', urlFromVariable: 'S', text: 'x' }, data, { variables: { S: 'http://169.254.169.254/latest' } }),
    ).rejects.toMatchObject({ message: expect.stringContaining('cloud metadata') });
    expect(received).toHaveLength(0);
  });

  it('does not run what a template holds: no code, only values', async () => {
    received.length = 0;
    const hostile = { jobId: '{{#lambda}}x{{/lambda}}', lambda: 'not a function' };
    await allowed.perform({ action: 'webhook', url: `${base}/t`, body: { t: '{{jobId}}' } }, hostile, {
      variables: {},
      signingSecret: SECRET,
    });
    expect(JSON.parse(received[0]!.body)).toEqual({ t: '{{#lambda}}x{{/lambda}}' });
  });
});

describe('slack and discord', () => {
  it('posts {text} to Slack and {content} to Discord at the URL held by the variable, the URL kept out of the summary', async () => {
    received.length = 0;
    const variables = { SLACK: `${base}/services/T000/B000/XXXX`, DISCORD: `${base}/api/webhooks/1/abc` };
    const slack = await allowed.perform({ action: 'slack', urlFromVariable: 'SLACK', text: 'job {{jobId}} {{status}}' }, data, {
      variables,
    });
    const discord = await allowed.perform({ action: 'discord', urlFromVariable: 'DISCORD', text: '{{event}}!' }, data, { variables });
    expect(received.map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      ['/services/T000/B000/XXXX', { text: 'job j1 failed' }],
      ['/api/webhooks/1/abc', { content: 'failed!' }],
    ]);
    expect(slack).toMatchObject({ ok: true, summary: 'slack answered 200 OK' });
    expect(discord.summary).not.toContain('abc');
  });

  it('refuses a variable that does not hold a URL', async () => {
    await expect(
      allowed.perform({ action: 'slack', urlFromVariable: 'S', text: 'x' }, data, { variables: { S: 42 } }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });
});

describe('email', () => {
  let smtp: SMTPServer;
  let port: number;
  const mails: { from: string; to: string[]; raw: string; user?: string }[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) {
        if (auth.username === 'bot' && auth.password === 'smtp-pass') cb(null, { user: 'bot' });
        else cb(new Error('bad credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            user: session.user as string | undefined,
          });
          cb();
        });
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => smtp.close(() => r())));

  it('sends the rendered mail through SMTP with the credentials of the variable', async () => {
    const smtpVar = { host: '127.0.0.1', port, user: 'bot', password: 'smtp-pass', from: 'cronium@example.test' };
    const result = await allowed.perform(
      {
        action: 'email',
        smtpFromVariable: 'SMTP',
        to: 'ops+{{jobId}}@example.test',
        subject: 'Job {{jobId}} {{status}}',
        text: 'exit {{exitCode}}',
      },
      data,
      { variables: { SMTP: smtpVar } },
    );
    expect(result).toMatchObject({ ok: true, response: { accepted: ['ops+j1@example.test'] } });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'cronium@example.test', to: ['ops+j1@example.test'], user: 'bot' });
    expect(mails[0]!.raw).toContain('Subject: Job j1 failed');
    expect(mails[0]!.raw).toContain('exit 2');
  });

  it('fails with the server refusal when the credentials are wrong', async () => {
    await expect(
      allowed.perform({ action: 'email', smtpFromVariable: 'SMTP', to: 'a@example.test', subject: 's', text: 't' }, data, {
        variables: { SMTP: JSON.stringify({ host: '127.0.0.1', port, user: 'bot', password: 'wrong' }) },
      }),
    ).rejects.toMatchObject({ code: 'http_error', message: expect.stringContaining('failed') });
  });

  it('refuses an SMTP host in a blocked range unless allowed', async () => {
    const guarded = createToolActions({ network: createGuardedNetwork() });
    await expect(
      guarded.perform({ action: 'email', smtpFromVariable: 'SMTP', to: 'a@example.test', subject: 's', text: 't' }, data, {
        variables: { SMTP: { host: '127.0.0.1', port } },
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('blocked range') });
  });
});
