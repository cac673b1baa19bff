import { describe, expect, it, vi } from 'vitest';
import { createSubmitJob } from '../../../lambdas/core/jobs/submitJob';
import type { JobSpec } from '../../../lambdas/core/model';
import { defaultCoreConfig } from '../../../lambdas/core/config';
import { callerFactory } from '../../helpers/factories';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();

describe('variables', () => {
  it('stores a secret only encrypted and never shows its value', async () => {
    const h = createHarness();

    const shown = await h.cp.variables.put(acme, 'API_TOKEN', { value: 's3cr3t-value', secret: true });
    await h.cp.variables.put(acme, 'region', { value: 'eu' });
    const listed = await h.cp.variables.list(acme);
    const stored = await h.store.variables.get('acme', 'API_TOKEN');

    expect(shown).toEqual({ key: 'API_TOKEN', secret: true, updatedAt: expect.any(String) });
    expect(listed).toEqual([
      { key: 'API_TOKEN', secret: true, updatedAt: expect.any(String) },
      { key: 'region', secret: false, value: 'eu', updatedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(stored)).not.toContain('s3cr3t-value');
  });

  it('keeps tenants apart and rejects bad keys and deleting what is not there', async () => {
    const h = createHarness();
    await h.cp.variables.put(acme, 'k', { value: 1 });

    expect(await h.cp.variables.list(callerFactory({ tenant: 'globex' }))).toEqual([]);
    expect(((await errorOf(() => h.cp.variables.put(acme, 'bad key', { value: 1 }))) as { code: string }).code).toBe('invalid_input');
    expect(((await errorOf(() => h.cp.variables.remove(acme, 'missing'))) as { code: string }).code).toBe('not_found');
  });

  it('resolves env references and hands the job every variable, secrets decrypted', async () => {
    const h = createHarness();
    await h.cp.variables.put(acme, 'API_TOKEN', { value: 's3cr3t-value', secret: true });
    await h.cp.variables.put(acme, 'limits', { value: { n: 3 } });
    const job = await h.cp.jobs.submit(acme, {
      runtime: 'bash',
      script: 'echo',
      env: { TOKEN: { fromVariable: 'API_TOKEN' }, LIMITS: { fromVariable: 'limits' }, PLAIN: 'x' },
    });

    await h.cp.dispatch(keyOf(job));
    const [request] = h.launcher.requests;

    expect(request!.env).toEqual({ TOKEN: 's3cr3t-value', LIMITS: '{"n":3}', PLAIN: 'x' });
    expect(JSON.parse(request!.workspace['in/variables.json']!)).toEqual({ API_TOKEN: 's3cr3t-value', limits: { n: 3 } });
    expect(JSON.stringify(await h.cp.jobs.get(acme, job.id))).not.toContain('s3cr3t-value');
  });

  it('fails a job whose env names a variable that does not exist, naming it', async () => {
    const h = createHarness();
    const job = await h.cp.jobs.submit(acme, { runtime: 'bash', script: 'echo', env: { TOKEN: { fromVariable: 'nope' } } });

    await h.cp.dispatch(keyOf(job));
    const ended = await h.cp.jobs.get(acme, job.id);

    expect(ended).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_input', message: 'env.TOKEN: variable "nope" does not exist' },
    });
    expect(h.launcher.created).toEqual([]);
  });
  it('reads the variables once for jobs submitted under the same version of them', async () => {
    // Arrange
    const h = createHarness({ config: { maxConcurrent: 5 } });
    await h.cp.variables.put(acme, 'region', { value: 'eu' });
    const jobs = [await h.submit(acme), await h.submit(acme)];
    const list = vi.spyOn(h.store.variables, 'list');

    // Act
    for (const job of jobs) await h.cp.dispatch(keyOf(job));

    // Assert
    expect(list).toHaveBeenCalledTimes(1);
    expect(h.launcher.requests.map((r) => JSON.parse(r.workspace['in/variables.json']!))).toEqual([{ region: 'eu' }, { region: 'eu' }]);
  });

  it('gives a job submitted after a variable changed the change, and one submitted before at least its own', async () => {
    // Arrange: the first job's dispatch keeps the list; then a variable changes and a second job is submitted.
    const h = createHarness({ config: { maxConcurrent: 5 } });
    await h.cp.variables.put(acme, 'region', { value: 'eu' });
    const before = await h.submit(acme);
    await h.cp.dispatch(keyOf(before));
    await h.cp.variables.put(acme, 'region', { value: 'us' });
    await h.cp.variables.put(acme, 'added', { value: 1 });
    const after = await h.submit(acme);

    // Act
    await h.cp.dispatch(keyOf(after));

    // Assert
    const seen = h.launcher.requests.map((r) => JSON.parse(r.workspace['in/variables.json']!));
    expect(seen).toEqual([{ region: 'eu' }, { added: 1, region: 'us' }]);
  });

  it('reads the variables at dispatch for a schedule fire, created ahead of its time', async () => {
    // Arrange: a fire's job exists before a variable changes, under the version of a list kept already.
    const h = createHarness({ config: { maxConcurrent: 5 } });
    await h.cp.variables.put(acme, 'region', { value: 'eu' });
    await h.cp.dispatch(keyOf(await h.submit(acme)));
    const spec: JobSpec = {
      runtime: 'bash',
      script: 'echo',
      env: {},
      timeoutSeconds: 60,
      resources: { ...defaultCoreConfig.defaultResources },
    };
    const fire = await createSubmitJob(h)(acme, spec, { scheduleId: 's1', scheduledAt: new Date(h.clock.now()).toISOString() });
    await h.cp.variables.put(acme, 'region', { value: 'us' });

    // Act
    await h.cp.dispatch(keyOf(fire));

    // Assert
    expect(fire.variablesVersion).toBeUndefined();
    expect(JSON.parse(h.launcher.requests[1]!.workspace['in/variables.json']!)).toEqual({ region: 'us' });
  });
});
