import type { CoreDeps } from '../deps';
import { ConflictError, NotFoundError, TooManyQueuedError } from '../errors';
import { isTerminal } from '../model';
import type { EventUseCases } from '../events/createEventUseCases';
import type { WorkflowUseCases } from '../workflows/createWorkflowUseCases';
import { nextFireAfter, type FirePlan } from './fireTimes';
import type { Schedule, ScheduleFire } from './scheduleModel';
import { planOf } from './schedulePlan';

/** What one tick did with schedules. */
export interface ScheduleTickReport {
  /** Schedules found due. */
  due: number;
  /** Fires whose job was created (or found created) by this tick. */
  fired: number;
  /** Fires skipped because the previous run was still going (`overlap: skip`). */
  skipped: number;
  /** Fires waiting for the previous run (`overlap: queue`). */
  held: number;
  /** Missed fires dropped by the catch-up policy. */
  missed: number;
  /** Fires claimed earlier but not completed (a crash in between), completed now. */
  completed: number;
}

/** Schedules read per tick; the rest wait for the next. */
const DUE_PER_TICK = 200;
/** Fire times enumerated per schedule and tick before jumping to the present (a very long outage). */
const MAX_ENUMERATED = 50_000;

const iso = (t: number) => new Date(t).toISOString();

/**
 * Fires due schedules exactly once, whichever tick and however many ticks run it. For each schedule
 * whose next fire is due within `scheduleWindowMs`:
 * 1. fires claimed but never completed (a crash between claim and submit) are completed;
 * 2. the fires since its next fire are split into missed (older than the window) and current, and
 *    `catchUp` picks the missed ones that still run (none, the latest, or the `maxCatchUpFires` latest);
 * 3. each is claimed with a conditional write keyed by (schedule, fire time), which carries the job
 *    id chosen then; the job is submitted through the event's run (held by the queue until its time)
 *    and the fire records it; submitting again with the same id creates nothing, so a second tick
 *    completing the same fire is harmless;
 * 4. the schedule's next fire advances, with a version check.
 * `overlap` looks at the schedule's latest job: `skip` records a skipped fire, `queue` holds the fire
 * (the schedule stays due) until that job ended. A fire in the future whose previous run is still
 * going is left for a later tick, so the policy is decided at its time.
 */
export const createScheduleFiring = (
  deps: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'cron' | 'config' | 'logger'>,
  events: Pick<EventUseCases, 'run'>,
  workflows?: Pick<WorkflowUseCases, 'start'>,
) => {
  const { store, clock, ids, cron, config, logger } = deps;

  /** Creates the fire's job (once, whoever calls) and records it on the fire. */
  const complete = async (s: Schedule, fire: ScheduleFire, now: number): Promise<ScheduleFire> => {
    const fireAt = Date.parse(fire.fireAt);
    // From the clock now, not the tick's start: the queue counts the delay from the send, and a tick
    // firing many schedules one after another would otherwise offer each later one that much late.
    // Whole seconds rounded down: the message comes up to a second early, and the dispatch holds the
    // job until its scheduledAt (createDispatchJob), so it starts at its time, never before.
    const delaySeconds = Math.max(0, Math.floor((fireAt - clock.now()) / 1000));
    let done: ScheduleFire;
    const caller = { tenant: s.tenant, role: 'user' } as const;
    const { eventId, workflowId } = s.target;
    const submitted = { ...fire, status: 'submitted', submittedAt: iso(now) } as const;
    try {
      if (workflowId !== undefined) {
        // Its first steps wait in the queue until the fire time, as a job does (see createRunAdvancer).
        if (!workflows) throw new NotFoundError('workflow', workflowId);
        await workflows.start(caller, workflowId, {
          runId: fire.jobId!,
          scheduleId: s.id,
          scheduledAt: fire.fireAt,
          ...(s.input !== undefined ? { input: s.input } : {}),
          ...(s.notify?.length ? { notify: s.notify } : {}),
        });
      } else {
        await events.run(caller, eventId, {
          jobId: fire.jobId,
          scheduleId: s.id,
          scheduledAt: fire.fireAt,
          ...(s.input !== undefined ? { input: s.input } : {}),
          ...(s.notify?.length ? { notify: s.notify } : {}),
          ...(delaySeconds > 0 ? { delaySeconds } : {}),
        });
      }
      done = { ...submitted, ...(workflowId !== undefined ? { workflowRunId: fire.jobId! } : {}) };
    } catch (err) {
      if (err instanceof ConflictError) done = { ...submitted, ...(workflowId !== undefined ? { workflowRunId: fire.jobId! } : {}) };
      // Over the tenant's cap on queued jobs: this fire does not run, and says why.
      else if (err instanceof TooManyQueuedError) done = { ...fire, status: 'skipped', reason: err.message };
      else if (err instanceof NotFoundError)
        done = {
          ...fire,
          status: 'failed',
          reason: workflowId !== undefined ? `workflow ${workflowId} not found` : `event ${eventId} not found`,
        };
      else throw err;
    }
    await store.schedules.recordFire(done);
    return done;
  };

  const stillRunning = async (s: Schedule, jobId: string | undefined): Promise<boolean> => {
    if (!jobId) return false;
    if (s.target.workflowId !== undefined) return (await store.workflows.getRun(s.tenant, jobId))?.status === 'running';
    const job = await store.jobs.get({ tenant: s.tenant, jobId });
    return job !== undefined && !isTerminal(job.status);
  };

  /** The fires from `first` to `until`: the last `keepMissed` of those before `missedBefore`, and all after. */
  const firesFrom = (plan: FirePlan, first: number, until: number, missedBefore: number, keepMissed: number) => {
    const missed: number[] = [];
    const current: number[] = [];
    let dropped = 0;
    let t: number | undefined = first;
    for (let n = 0; t !== undefined && t <= until; n++) {
      if (t < missedBefore) {
        missed.push(t);
        if (missed.length > keepMissed) {
          missed.shift();
          dropped++;
        }
      } else current.push(t);
      if (n === MAX_ENUMERATED && t < missedBefore) {
        dropped++; // beyond this many, the rest of the outage is not counted one by one
        t = nextFireAfter(cron, plan, missedBefore - 1);
      } else t = nextFireAfter(cron, plan, t);
    }
    return { selected: [...missed, ...current], dropped, after: t };
  };

  const fireSchedule = async (s: Schedule, now: number, report: ScheduleTickReport) => {
    const window = config.scheduleWindowMs;
    const first = Date.parse(s.nextFireAt ?? '');
    if (Number.isNaN(first)) return;

    // 1. Claimed earlier, never completed: the schedule was not advanced past them.
    const earlier = await store.schedules.listFires(s.tenant, s.id, {
      limit: config.maxCatchUpFires + 10,
      order: 'oldest',
      from: s.nextFireAt!,
    });
    let lastJobId = s.lastJobId;
    for (const fire of earlier) {
      if (fire.status === 'claimed') {
        await complete(s, fire, now);
        report.completed++;
      }
      if (fire.jobId && fire.status !== 'skipped') lastJobId = fire.jobId;
    }

    // 2. Which fires run now.
    const plan = planOf(s);
    const keepMissed = s.catchUp === 'none' ? 0 : s.catchUp === 'latest' ? 1 : config.maxCatchUpFires;
    const held = s.heldFireAt === s.nextFireAt;
    const found = firesFrom(plan, first, now + window, now - window, keepMissed);
    // A held fire runs whatever its age: it was due, only waiting for the previous run.
    const restored = held && found.selected[0] !== first;
    const selected = restored ? [first, ...found.selected] : found.selected;
    report.missed += restored ? Math.max(0, found.dropped - 1) : found.dropped;
    let resumeAt: number | undefined = found.after;
    let holdAt: number | undefined;

    // 3. Claim and submit each.
    for (const t of selected) {
      const fireAt = iso(t);
      if (s.overlap !== 'allow' && (await stillRunning(s, lastJobId))) {
        if (t > now || s.overlap === 'queue') {
          resumeAt = t;
          if (t <= now) {
            holdAt = t;
            report.held++;
          }
          break;
        }
        const claimed = await store.schedules.claimFire({
          tenant: s.tenant,
          scheduleId: s.id,
          fireAt,
          status: 'skipped',
          claimedAt: iso(now),
          reason: `overlap: job ${lastJobId} was still running`,
        });
        if (claimed) report.skipped++;
        continue;
      }
      const fire: ScheduleFire = { tenant: s.tenant, scheduleId: s.id, fireAt, status: 'claimed', claimedAt: iso(now), jobId: ids.next() };
      if (await store.schedules.claimFire(fire)) {
        const done = await complete(s, fire, now);
        if (done.status === 'submitted') report.fired++;
        if (done.jobId) lastJobId = done.jobId;
      } else {
        // Another tick claimed it: complete it if that tick has not (yet), never a second job.
        const existing = await store.schedules.getFire(s.tenant, s.id, fireAt);
        if (existing?.status === 'claimed') {
          await complete(s, existing, now);
          report.completed++;
        }
        if (existing?.jobId && existing.status !== 'skipped') lastJobId = existing.jobId;
      }
    }

    // 4. Advance (a tick that lost the race to another finds the version moved on, and stops here).
    const { nextFireAt: _n, heldFireAt: _h, lastJobId: _l, ...rest } = s;
    const advanced: Schedule = {
      ...rest,
      ...(resumeAt !== undefined ? { nextFireAt: iso(resumeAt) } : {}),
      ...(holdAt !== undefined ? { heldFireAt: iso(holdAt) } : {}),
      ...(lastJobId ? { lastJobId } : {}),
      version: s.version + 1,
    };
    try {
      await store.schedules.update(advanced);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  };

  /** One tick's schedule work; a schedule that fails is logged and tried again next tick. */
  return async (): Promise<ScheduleTickReport> => {
    const report: ScheduleTickReport = { due: 0, fired: 0, skipped: 0, held: 0, missed: 0, completed: 0 };
    const now = clock.now();
    const until = now + config.scheduleWindowMs;
    for (const hit of await store.schedules.due(iso(until), DUE_PER_TICK)) {
      try {
        // The index may lag a change; the item is the truth.
        const s = await store.schedules.get(hit.tenant, hit.id);
        if (!s?.enabled || !s.nextFireAt || Date.parse(s.nextFireAt) > until) continue;
        report.due++;
        await fireSchedule(s, now, report);
      } catch (err) {
        logger.error({ err, tenant: hit.tenant, scheduleId: hit.id }, 'a schedule could not fire; the next tick tries again');
      }
    }
    return report;
  };
};
