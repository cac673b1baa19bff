import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../../lambdas/core/errors';
import type { Job, JobStatus } from '../../../../lambdas/core/model';
import type { JobListQuery, JobStore } from '../../../../lambdas/core/ports/stores';
import { at, jobFactory } from '../fixtures';
import type { NewStore } from './context';

const ids = (jobs: readonly Job[]) => jobs.map((j) => j.id);

/** Creates `n` jobs job1..jobN, each one second newer than the last. */
async function createJobs(jobs: JobStore, n: number, o: Partial<Job> = {}) {
  const made = Array.from({ length: n }, (_, i) => jobFactory({ id: `job${i + 1}`, createdAt: at(i), ...o }));
  await Promise.all(made.map((j) => jobs.create(j)));
  return made;
}

/** Every page of a listing, following cursors. */
async function allPages(list: (cursor?: string) => Promise<{ items: Job[]; nextCursor?: string }>) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(ids(page.items));
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

export function jobsContract(newStore: NewStore) {
  describe('jobs', () => {
    it('reads back exactly the job it created, with no storage attributes or unset fields', async () => {
      const { jobs } = await newStore();
      const job = jobFactory({ eventId: 'ev1', deadlineAt: 123 });

      await jobs.create({ ...job, exitCode: undefined });

      expect(await jobs.get({ tenant: 'acme', jobId: 'job1' })).toStrictEqual(job);
    });

    it('rejects a second job with the same id', async () => {
      const { jobs } = await newStore();
      await jobs.create(jobFactory());

      const second = jobs.create(jobFactory({ script: 'other' }));

      await expect(second).rejects.toBeInstanceOf(ConflictError);
      await expect(second).rejects.toMatchObject({ code: 'conflict' });
      expect((await jobs.get({ tenant: 'acme', jobId: 'job1' }))?.script).toBe('echo hi');
    });

    it('finds no job under another tenant or another id', async () => {
      const { jobs } = await newStore();
      await jobs.create(jobFactory());

      expect(await jobs.get({ tenant: 'other', jobId: 'job1' })).toBeUndefined();
      expect(await jobs.get({ tenant: 'acme', jobId: 'nope' })).toBeUndefined();
    });

    it('rejects key parts containing "#", which could cross into another tenant', async () => {
      const { jobs } = await newStore();

      await expect(jobs.create(jobFactory({ tenant: 'a#JOB#b' }))).rejects.toMatchObject({ code: 'invalid_input', field: 'tenant' });
      await expect(jobs.get({ tenant: 'acme', jobId: 'b#JOB#c' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('moves a job to a new status, bumps its version, applies the patch and returns the stored job', async () => {
      const { jobs } = await newStore();
      const job = jobFactory();
      await jobs.create(job);

      const claimed = await jobs.transition(job, 'claimed', { claimedAt: at(5), slot: 3 });

      const expected = { ...job, status: 'claimed', version: 1, claimedAt: at(5), slot: 3 };
      expect(claimed).toStrictEqual(expected);
      expect(await jobs.get({ tenant: 'acme', jobId: 'job1' })).toStrictEqual(expected);
    });

    it('refuses a transition from a stale version', async () => {
      const { jobs } = await newStore();
      const job = jobFactory();
      await jobs.create(job);
      const claimed = await jobs.transition(job, 'claimed');
      await jobs.transition(claimed, 'claimed', { executionRef: 'c1' });

      const stale = jobs.transition(claimed, 'running');

      await expect(stale).rejects.toBeInstanceOf(ConflictError);
      await expect(stale).rejects.toHaveProperty('cause');
      expect((await jobs.get({ tenant: 'acme', jobId: 'job1' }))?.status).toBe('claimed');
    });

    it('refuses a transition from a stale status, so a duplicate event is harmless', async () => {
      const { jobs } = await newStore();
      const job = jobFactory();
      await jobs.create(job);
      await jobs.transition(job, 'cancelled');

      // Same version, different status: a forged or confused caller.
      const stale = jobs.transition({ ...job, status: 'running' }, 'completed');

      await expect(stale).rejects.toMatchObject({ code: 'conflict' });
      expect((await jobs.get({ tenant: 'acme', jobId: 'job1' }))?.status).toBe('cancelled');
    });

    it('refuses a transition of a job that does not exist, without creating it', async () => {
      const { jobs } = await newStore();

      await expect(jobs.transition(jobFactory(), 'claimed')).rejects.toBeInstanceOf(ConflictError);
      expect(await jobs.get({ tenant: 'acme', jobId: 'job1' })).toBeUndefined();
    });

    it('removes a field the patch sets to undefined', async () => {
      const { jobs } = await newStore();
      const job = jobFactory();
      await jobs.create(job);
      const claimed = await jobs.transition(job, 'claimed', { slot: 2, executionRef: 'c1' });

      const queued = await jobs.transition(claimed, 'queued', { slot: undefined });

      expect(queued).toStrictEqual({ ...job, version: 2, executionRef: 'c1' });
      expect(await jobs.get({ tenant: 'acme', jobId: 'job1' })).not.toHaveProperty('slot');
    });

    it('marks a job watched without a new version, and a later transition returns the mark', async () => {
      const { jobs } = await newStore();
      const job = jobFactory();
      await jobs.create(job);

      const watched = await jobs.watch({ tenant: 'acme', jobId: 'job1' });
      const claimed = await jobs.transition(job, 'claimed');

      expect(watched).toStrictEqual({ ...job, watched: true });
      expect(claimed).toMatchObject({ status: 'claimed', version: 1, watched: true });
    });

    it('marks no job of another tenant or that does not exist, and creates none', async () => {
      const { jobs } = await newStore();
      await jobs.create(jobFactory());

      expect(await jobs.watch({ tenant: 'globex', jobId: 'job1' })).toBeUndefined();
      expect(await jobs.watch({ tenant: 'acme', jobId: 'job2' })).toBeUndefined();
      expect(await jobs.get({ tenant: 'globex', jobId: 'job1' })).toBeUndefined();
      expect(await jobs.get({ tenant: 'acme', jobId: 'job2' })).toBeUndefined();
      expect(await jobs.get({ tenant: 'acme', jobId: 'job1' })).not.toHaveProperty('watched');
    });

    it('rejects a patch that would change the job identity', async () => {
      const { jobs } = await newStore();
      const job = jobFactory();
      await jobs.create(job);

      await expect(jobs.transition(job, 'claimed', { tenant: 'other' })).rejects.toMatchObject({ field: 'patch.tenant' });
      await expect(jobs.transition(job, 'claimed', { status: 'running' })).rejects.toMatchObject({ field: 'patch.status' });
    });

    describe('listing', () => {
      it("lists a tenant's jobs newest first", async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 3);

        const page = await jobs.list('acme', { limit: 10 });

        expect(ids(page.items)).toEqual(['job3', 'job2', 'job1']);
        expect(page).not.toHaveProperty('nextCursor');
        expect(page.items[0]).toStrictEqual(jobFactory({ id: 'job3', createdAt: at(2) }));
      });

      it('lists by status, following transitions', async () => {
        const { jobs } = await newStore();
        const [j1, j2] = await createJobs(jobs, 3);
        await jobs.transition(j1!, 'claimed');
        const running = await jobs.transition(await jobs.transition(j2!, 'claimed'), 'running');

        const byStatus = async (status: JobStatus) => ids((await jobs.list('acme', { status, limit: 10 })).items);

        expect(await byStatus('queued')).toEqual(['job3']);
        expect(await byStatus('claimed')).toEqual(['job1']);
        expect(await byStatus('running')).toEqual(['job2']);
        expect(running.version).toBe(2);
      });

      it('lists by event, and by event and status together', async () => {
        const { jobs } = await newStore();
        const [, a2] = await createJobs(jobs, 3, { eventId: 'evA' });
        await jobs.create(jobFactory({ id: 'other', createdAt: at(10), eventId: 'evB' }));
        await jobs.create(jobFactory({ id: 'adhoc', createdAt: at(11) }));
        await jobs.transition(a2!, 'cancelled');

        expect(ids((await jobs.list('acme', { eventId: 'evA', limit: 10 })).items)).toEqual(['job3', 'job2', 'job1']);
        expect(ids((await jobs.list('acme', { eventId: 'evA', status: 'queued', limit: 10 })).items)).toEqual(['job3', 'job1']);
        expect(ids((await jobs.list('acme', { eventId: 'evA', status: 'cancelled', limit: 10 })).items)).toEqual(['job2']);
      });

      it('pages through with cursors and ends without one', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 5);

        const pages = await allPages((cursor) => jobs.list('acme', { limit: 2, cursor }));

        expect(pages).toEqual([['job5', 'job4'], ['job3', 'job2'], ['job1']]);
      });

      it('gives no cursor when the last page is exactly full', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 4);

        const pages = await allPages((cursor) => jobs.list('acme', { status: 'queued', limit: 2, cursor }));

        expect(pages).toEqual([
          ['job4', 'job3'],
          ['job2', 'job1'],
        ]);
      });

      it('fills a filtered page across DynamoDB pages', async () => {
        const { jobs } = await newStore();
        // Three matching jobs, older than a long run of non-matching ones of the same event.
        const matching = await createJobs(jobs, 3, { eventId: 'ev' });
        await Promise.all(
          Array.from({ length: 150 }, (_, i) =>
            jobs.create(jobFactory({ id: `n${i}`, createdAt: at(100 + i), eventId: 'ev', status: 'running' })),
          ),
        );
        await Promise.all(matching.map((j) => jobs.transition(j, 'failed')));

        const pages = await allPages((cursor) => jobs.list('acme', { eventId: 'ev', status: 'failed', limit: 2, cursor }));

        expect(pages).toEqual([['job3', 'job2'], ['job1']]);
      });

      it('rejects a malformed cursor as invalid input on the cursor field', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 1);
        const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

        for (const cursor of [
          'not a cursor!',
          'e30',
          forged(['x', 'y']),
          forged([`${at(0)}#job1`, 'job2']),
          forged({ sortKey: 'a#b', id: 'b' }),
        ]) {
          const listing = jobs.list('acme', { limit: 2, cursor });
          await expect(listing, cursor).rejects.toBeInstanceOf(ValidationError);
          await expect(listing, cursor).rejects.toMatchObject({ field: 'cursor' });
        }
      });

      it("shows a tenant none of another tenant's jobs, even with that tenant's cursor", async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 4, { tenant: 'acme' });
        await jobs.create(jobFactory({ tenant: 'globex', id: 'g1', createdAt: at(0) }));
        const acmeFirst = await jobs.list('acme', { limit: 2 });

        const globexAll = await jobs.list('globex', { limit: 10 });
        const globexWithAcmeCursor = await jobs.list('globex', { limit: 10, cursor: acmeFirst.nextCursor });

        expect(ids(globexAll.items)).toEqual(['g1']);
        expect(globexWithAcmeCursor.items.every((j) => j.tenant === 'globex')).toBe(true);
        expect((await jobs.list('initech', { limit: 10 })).items).toEqual([]);
      });

      it('filters by runtime, alone and with status or event', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 2, { runtime: 'python' });
        const node = jobFactory({ id: 'n1', createdAt: at(6), runtime: 'node', eventId: 'ev' });
        await jobs.create(jobFactory({ id: 'b1', createdAt: at(5), runtime: 'bash' }));
        await jobs.create(node);
        await jobs.create(jobFactory({ id: 'p3', createdAt: at(7), runtime: 'python', eventId: 'ev' }));
        await jobs.transition(node, 'failed');

        const list = async (q: Partial<JobListQuery>) => ids((await jobs.list('acme', { limit: 10, ...q })).items);

        expect(await list({ runtime: 'python' })).toEqual(['p3', 'job2', 'job1']);
        expect(await list({ runtime: 'bash' })).toEqual(['b1']);
        expect(await list({ runtime: 'tool' })).toEqual([]);
        expect(await list({ runtime: 'python', eventId: 'ev' })).toEqual(['p3']);
        expect(await list({ runtime: 'node', status: 'failed' })).toEqual(['n1']);
        expect(await list({ runtime: 'node', status: 'queued' })).toEqual([]);
        expect(await list({ runtime: 'node', status: 'failed', eventId: 'ev' })).toEqual(['n1']);
      });

      it('bounds by creation time, since inclusive and until exclusive, on every index', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 6, { eventId: 'ev' });

        const list = async (q: Partial<JobListQuery>) => ids((await jobs.list('acme', { limit: 10, ...q })).items);

        expect(await list({ since: at(2) })).toEqual(['job6', 'job5', 'job4', 'job3']);
        expect(await list({ until: at(2) })).toEqual(['job2', 'job1']);
        expect(await list({ since: at(1), until: at(4) })).toEqual(['job4', 'job3', 'job2']);
        expect(await list({ since: at(1), until: new Date(Date.parse(at(1)) + 1).toISOString() })).toEqual(['job2']);
        expect(await list({ since: new Date(Date.parse(at(1)) + 1).toISOString(), until: at(3) })).toEqual(['job3']);
        expect(await list({ status: 'queued', since: at(4) })).toEqual(['job6', 'job5']);
        expect(await list({ eventId: 'ev', until: at(1) })).toEqual(['job1']);
        expect(await list({ since: at(6) })).toEqual([]);
        expect(await list({ until: at(0) })).toEqual([]);
      });

      it('pages through runtime, status, event and time filters together, each page full but the last', async () => {
        const { jobs } = await newStore();
        // Newest first: m9..m1 match; the rest miss by exactly one filter each, interleaved with them.
        const matching = Array.from({ length: 9 }, (_, i) =>
          jobFactory({ id: `m${i + 1}`, createdAt: at(10 + 3 * i), runtime: 'python', eventId: 'ev' }),
        );
        const misses = [
          ...Array.from({ length: 9 }, (_, i) => jobFactory({ id: `bash${i}`, createdAt: at(11 + 3 * i), runtime: 'bash', eventId: 'ev' })),
          ...Array.from({ length: 9 }, (_, i) =>
            jobFactory({ id: `run${i}`, createdAt: at(12 + 3 * i), runtime: 'python', eventId: 'ev', status: 'running' }),
          ),
          jobFactory({ id: 'otherEvent', createdAt: at(20), runtime: 'python', eventId: 'ev2' }),
          jobFactory({ id: 'tooOld', createdAt: at(9), runtime: 'python', eventId: 'ev' }),
          jobFactory({ id: 'atUntil', createdAt: at(40), runtime: 'python', eventId: 'ev' }),
        ];
        await Promise.all([...matching, ...misses].map((j) => jobs.create(j)));
        const q = { runtime: 'python', status: 'queued', since: at(10), until: at(40) } as const;

        const withEvent = await allPages((cursor) => jobs.list('acme', { ...q, eventId: 'ev', limit: 4, cursor }));
        const withoutEvent = await allPages((cursor) => jobs.list('acme', { ...q, limit: 4, cursor }));
        const anyStatus = await allPages((cursor) => jobs.list('acme', { ...q, status: undefined, limit: 7, cursor }));
        const pythonInRange = [...matching, ...misses]
          .filter((j) => j.runtime === 'python' && j.createdAt >= q.since && j.createdAt < q.until)
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          .map((j) => j.id);

        expect(withEvent).toEqual([['m9', 'm8', 'm7', 'm6'], ['m5', 'm4', 'm3', 'm2'], ['m1']]);
        expect(withoutEvent).toEqual([
          ['m9', 'm8', 'm7', 'm6'],
          ['m5', 'otherEvent', 'm4', 'm3'],
          ['m2', 'm1'],
        ]);
        expect(pythonInRange).toHaveLength(19);
        expect(anyStatus.map((p) => p.length)).toEqual([7, 7, 5]);
        expect(anyStatus.flat()).toEqual(pythonInRange);
      });

      it('fills a runtime-filtered page across DynamoDB pages', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 3, { runtime: 'node' });
        await Promise.all(Array.from({ length: 150 }, (_, i) => jobs.create(jobFactory({ id: `n${i}`, createdAt: at(100 + i) }))));

        const pages = await allPages((cursor) => jobs.list('acme', { runtime: 'node', limit: 2, cursor }));

        expect(pages).toEqual([['job3', 'job2'], ['job1']]);
      });

      it('follows a cursor into another time range: past its newer end from the top, below its older end to nothing', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 6);
        const afterJob6 = (await jobs.list('acme', { limit: 1 })).nextCursor;
        const afterJob3 = (await jobs.list('acme', { limit: 4 })).nextCursor;

        const list = async (q: Partial<JobListQuery>) => ids((await jobs.list('acme', { limit: 10, ...q })).items);

        expect(await list({ until: at(3), cursor: afterJob6 })).toEqual(['job3', 'job2', 'job1']);
        expect(await list({ since: at(1), until: at(5), cursor: afterJob6 })).toEqual(['job5', 'job4', 'job3', 'job2']);
        expect(await list({ since: at(1), cursor: afterJob3 })).toEqual(['job2']);
        expect(await list({ since: at(4), cursor: afterJob3 })).toEqual([]);
      });

      it('rejects a time that is not in the form of createdAt, and an until not after since, naming the field', async () => {
        const { jobs } = await newStore();
        await createJobs(jobs, 1);

        for (const since of ['yesterday', '2030-01-01', '2030-01-01T00:00:00Z', '2030-01-01T01:00:00.000+01:00', '']) {
          await expect(jobs.list('acme', { since, limit: 2 }), since).rejects.toMatchObject({ code: 'invalid_input', field: 'since' });
        }
        await expect(jobs.list('acme', { until: 'soon', limit: 2 })).rejects.toMatchObject({ field: 'until' });
        await expect(jobs.list('acme', { since: at(1), until: at(1), limit: 2 })).rejects.toMatchObject({
          field: 'until',
          message: expect.stringMatching(/must be after since/),
        });
        await expect(jobs.list('acme', { since: at(2), until: at(1), limit: 2 })).rejects.toMatchObject({ field: 'until' });
      });

      it('lists every non-terminal job of every tenant, oldest first, and drops jobs that end', async () => {
        const { jobs } = await newStore();
        const [j1, j2] = await createJobs(jobs, 3);
        await jobs.create(jobFactory({ tenant: 'globex', id: 'g1', createdAt: at(1) }));
        const claimed = await jobs.transition(j1!, 'claimed');
        await jobs.transition(j2!, 'completed', { exitCode: 0 });

        const before = await jobs.listActive();
        await jobs.transition(claimed, 'failed');
        const after = await jobs.listActive();

        expect(before.map((j) => `${j.tenant}/${j.id}`)).toEqual(['acme/job1', 'globex/g1', 'acme/job3']);
        expect(before[0]).toStrictEqual({ ...j1, status: 'claimed', version: 1 });
        expect(after.map((j) => j.id)).toEqual(['g1', 'job3']);
      });
    });
  });
}
