import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { apiClient, eventually, startHarness, waitForJob } from './harness';
import { signatureHolds, startReceiver } from './receiver';

describe('tool jobs, end to end', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: { to: string[]; raw: string; user?: string }[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) {
        if (auth.username === 'bot' && auth.password === 'smtp-pass-not-for-mails') cb(null, { user: 'bot' });
        else cb(new Error('bad credentials'));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
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
    smtpPort = (smtp.server.address() as AddressInfo).port;
    h = await startHarness({ CRONIUM_HTTP_ALLOW: '127.0.0.1/32' });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  });

  const logOf = async (id: string) => (await h.admin.get(`/jobs/${id}/logs`)).body.items.map((l: { line: string }) => l.line);

  it('posts a signed webhook rendered from the job, and keeps the answer as output', async () => {
    const { body: submitted } = await h.admin.post('/jobs', {
      runtime: 'tool',
      tool: { action: 'webhook', url: `${receiver.url}/hook/{{job.id}}`, body: { text: 'hello {{input.who}}', job: '{{job.id}}' } },
      input: { who: 'ops' },
    });
    const job = await waitForJob(h.admin, submitted.id);
    const { body: signing } = await h.admin.get('/settings/webhook-secret');

    expect(job).toMatchObject({
      status: 'completed',
      exitCode: 0,
      output: { action: 'webhook', ok: true, response: { status: 200, body: 'ok' } },
    });
    const [request] = receiver.to(`/hook/${job.id}`);
    expect(JSON.parse(request!.body)).toEqual({ text: 'hello ops', job: job.id });
    expect(signing).toMatchObject({ header: 'X-Cronium-Signature', algorithm: 'HMAC-SHA256' });
    expect(signatureHolds(request!, signing.secret)).toBe(true);
    expect((await logOf(job.id))[0]).toBe(`→ webhook POST ${receiver.url}/hook/{{job.id}}`);
  });

  it('shows the signing secret to admin keys only', async () => {
    const { body: key } = await h.admin.post('/keys', { tenant: 'default', role: 'user' });
    const asUser = await apiClient(h.local.url, key.key).get('/settings/webhook-secret');
    expect(asUser.status).toBe(403);
  });

  it('posts to Slack through the URL held by a secret variable, which never shows in the job', async () => {
    await h.admin.put('/variables/SLACK_URL', { value: `${receiver.url}/services/T1/B2/very-secret-token`, secret: true });
    const { body: submitted } = await h.admin.post('/jobs', {
      runtime: 'tool',
      tool: { action: 'slack', urlFromVariable: 'SLACK_URL', text: 'job {{job.id}} says hi' },
    });
    const job = await waitForJob(h.admin, submitted.id);

    expect(job.status).toBe('completed');
    expect(JSON.parse(receiver.to('/services/T1/B2')[0]!.body)).toEqual({ text: `job ${job.id} says hi` });
    expect(JSON.stringify({ job, log: await logOf(job.id) })).not.toContain('very-secret-token');
  });

  it('fails with http_error when the receiver refuses, and with a 4xx naming the field for a bad action', async () => {
    const { body: submitted } = await h.admin.post('/jobs', { runtime: 'tool', tool: { action: 'webhook', url: `${receiver.url}/fail` } });
    const job = await waitForJob(h.admin, submitted.id);
    const bad = await h.admin.post('/jobs', { runtime: 'tool', tool: { action: 'webhook' } });
    const missing = await h.admin.post('/jobs', { runtime: 'tool' });

    expect(job).toMatchObject({ status: 'failed', error: { code: 'http_error' }, output: { ok: false, response: { status: 500 } } });
    expect(job.error.message).toContain('answered 500');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('tool');
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('tool');
  });

  it('emails through a local SMTP server with the credentials of a secret variable when an event run fails', async () => {
    await h.admin.put('/variables/SMTP', {
      value: { host: '127.0.0.1', port: smtpPort, user: 'bot', password: 'smtp-pass-not-for-mails', from: 'cronium@example.test' },
      secret: true,
    });
    const { body: event } = await h.admin.post('/events', {
      name: 'mailed',
      runtime: 'bash',
      script: 'echo "it broke"; exit 2',
      notify: [
        {
          on: ['failed'],
          action: {
            action: 'email',
            smtpFromVariable: 'SMTP',
            to: 'oncall@example.test',
            subject: '{{eventName}} {{status}}',
            text: 'job {{jobId}} exited {{exitCode}}: {{#logExcerpt}}{{.}} {{/logExcerpt}}',
          },
        },
      ],
    });
    const { body: run } = await h.admin.post(`/events/${event.id}/runs`, {});

    const job = await eventually(
      async () => {
        const { body } = await h.admin.get(`/jobs/${run.id}`);
        return body.notifications?.[0]?.status === 'sent' ? body : undefined;
      },
      30_000,
      'the email notification to be sent',
    );

    expect(job).toMatchObject({ status: 'failed', exitCode: 2 });
    expect(job.notifications).toEqual([expect.objectContaining({ on: 'failed', action: 'email to oncall@example.test', attempts: 1 })]);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['oncall@example.test'], user: 'bot' });
    expect(mails[0]!.raw).toContain('Subject: mailed failed');
    expect(mails[0]!.raw).toContain(`job ${run.id} exited 2: it broke`);
    expect(JSON.stringify(job)).not.toContain('smtp-pass-not-for-mails');
  });

  it('a workflow whose failure branch posts a signed webhook, and whose own rule posts the run’s end', async () => {
    const failing = await h.admin.post('/events', { name: 'breaks', runtime: 'bash', script: 'echo about to fail; exit 4' });
    const alert = await h.admin.post('/events', {
      name: 'alert',
      runtime: 'tool',
      tool: { action: 'webhook', url: `${receiver.url}/alert`, body: { text: 'step failed in run of job {{job.id}}' } },
    });
    const wf = await h.admin.post('/workflows', {
      name: 'with alert',
      nodes: [
        { id: 'work', eventId: failing.body.id },
        { id: 'alert', eventId: alert.body.id },
      ],
      edges: [{ from: 'work', to: 'alert', when: 'failure' }],
      notify: [{ on: ['completed', 'failed'], action: { action: 'webhook', url: `${receiver.url}/run-ended` } }],
    });
    expect(wf.status).toBe(201);
    const run = (await h.admin.post(`/workflows/${wf.body.id}/runs`, {})).body;

    const ended = await eventually(
      async () => {
        const { body } = await h.admin.get(`/workflow-runs/${run.id}`);
        return body.status !== 'running' && body.notifications?.[0]?.status === 'sent' ? body : undefined;
      },
      60_000,
      'the workflow run to end and its notification to be sent',
    );
    const { body: signing } = await h.admin.get('/settings/webhook-secret');

    const steps = Object.fromEntries(ended.steps.map((s: { nodeId: string; status: string }) => [s.nodeId, s.status]));
    expect(steps).toMatchObject({ work: 'failed', alert: 'completed' });
    const [alerted] = receiver.to('/alert');
    expect(receiver.to('/alert')).toHaveLength(1);
    expect(JSON.parse(alerted!.body).text).toMatch(/^step failed in run of job /);
    expect(signatureHolds(alerted!, signing.secret)).toBe(true);
    expect(signatureHolds(alerted!, `${signing.secret}x`)).toBe(false);
    // The failure branch handled the failure: the run completed, and its rule posted that once.
    expect(ended.status).toBe('completed');
    expect(ended.notifications).toEqual([
      expect.objectContaining({ on: 'completed', status: 'sent', attempts: 1, action: `webhook POST ${receiver.url}/run-ended` }),
    ]);
    const [runEnded] = receiver.to('/run-ended');
    expect(receiver.to('/run-ended')).toHaveLength(1);
    expect(signatureHolds(runEnded!, signing.secret)).toBe(true);
    expect(JSON.parse(runEnded!.body)).toMatchObject({
      event: 'completed',
      workflowRunId: run.id,
      workflowId: wf.body.id,
      status: 'completed',
      steps: [
        { nodeId: 'work', status: 'failed', error: { code: 'exit_nonzero' } },
        { nodeId: 'alert', status: 'completed' },
      ],
    });
  });
});
