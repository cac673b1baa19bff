import { randomBytes } from 'node:crypto';
import { ErrorCodes, ValidationError } from '../../core';
import type { ExecutionLauncher, ExecutionEvents, ExecutionInfo, ExitReport, Job, JobKey, Logger, RawLine } from '../../core';
import { createAddressPolicy } from './addressPolicy';
import { AbortReasons, HttpExecutionNotFoundError, HttpLauncherClosedError, HttpReportError } from './errors';
import { planHttpRequest, type HttpRequestPlan } from './httpSpec';
import { abortReasonFor, runHttpRequest } from './runHttpRequest';
import { sendHop } from './sendHop';
import { createTargetGuard, systemResolver, type Resolver } from './targetGuard';

/** Options of createHttpLauncher. */
export interface HttpLauncherOptions {
  /** Where output and exits are reported: the core's report path, which retries and logs failed reports itself. */
  events: ExecutionEvents;
  /**
   * CIDRs (or single addresses) opened although they are in a blocked range: parse
   * `CRONIUM_HTTP_ALLOW` with `parseHttpAllowList`. @default [] (only public unicast addresses)
   */
  allow?: readonly string[];
  /** Resolves host names to every address. @default node:dns/promises lookup, all addresses */
  resolve?: Resolver;
  /** Most bytes of response body kept; the rest is not read. @default 1 MiB */
  maxBodyBytes?: number;
  /** Most redirects followed per request. @default 5 */
  maxRedirects?: number;
  /** `User-Agent` sent unless the job sets one. @default 'Cronium-HTTP/1' */
  userAgent?: string;
  /** Most bytes of response body copied into the job's log (all of it is in output.json). @default 64 KiB */
  maxLogBodyBytes?: number;
  /** Extra trusted CA certificates (PEM) for https, added to Node's bundled roots. @default none */
  ca?: readonly string[];
  /** Epoch ms; injected so tests control deadlines. @default Date.now */
  now?: () => number;
  /**
   * Where failures in the background go (never thrown), as `{ err, jobId, ref }` with an
   * HttpReportError. @default the console
   */
  logger?: Logger;
}

/** The http launcher: a ExecutionLauncher whose executions are requests made in this process. */
export interface HttpLauncher extends ExecutionLauncher {
  /**
   * Resolves once every request in flight has ended and its exit was reported. A Lambda that runs
   * http jobs awaits it before returning, or the frozen sandbox would hold the request.
   */
  drain(): Promise<void>;
  /** Aborts every request in flight without reporting it (the core finds them lost) and refuses new work. */
  close(): Promise<void>;
}

/** Every ref this launcher hands out starts with it; a composition root routes on it. */
export const HTTP_REF_PREFIX = 'http:';

/** Whether a ref belongs to the http launcher. */
export const isHttpRef = (ref: string): boolean => ref.startsWith(HTTP_REF_PREFIX);

const DEFAULTS = {
  maxBodyBytes: 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'Cronium-HTTP/1',
  maxLogBodyBytes: 64 * 1024,
};

interface Execution {
  ref: string;
  key: JobKey;
  plan: HttpRequestPlan;
  deadlineAt?: number;
  controller?: AbortController;
  /** Set once started; settles after the exit was reported (never rejects). */
  done?: Promise<void>;
}

const wholeNumber = (field: string, value: number, min: number) => {
  if (!(Number.isInteger(value) && value >= min)) throw new ValidationError(field, `must be a whole number of at least ${min}`);
  return value;
};

const consoleLogger: Logger = {
  info: (obj, msg) => console.info(msg ?? '', obj),
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};

/**
 * Runs http jobs: one HTTP request each, made by the control plane itself (no container), whose
 * response becomes the job's output (`output.json`: status, headers, body). The SSRF guard
 * resolves every host, refuses blocked address ranges unless `allow` opens them, pins the
 * connection to the checked address and checks each redirect again.
 *
 * Outcomes reported through `events.exited`: exit 0 for a 2xx (or `expectStatus`); `failure`
 * `http_error` for another status (with the response), a refused address, DNS, connection or TLS
 * errors; `timedOut` past `timeoutMs` or the job's deadline; `failure` `cancelled` after stop().
 *
 * @throws ValidationError from the factory, for a bad option.
 * @throws InvalidAllowListError from the factory, for an allow entry that is not a CIDR.
 * @throws InvalidHttpSpecError from create, for a request that cannot be sent (code `invalid_input`).
 * @throws HttpExecutionNotFoundError from start, for a ref it did not create (code `lost`).
 * @throws HttpLauncherClosedError from create and start after close().
 *
 * @example
 * const http = createHttpLauncher({ events, allow: parseHttpAllowList(process.env.CRONIUM_HTTP_ALLOW) });
 * const ref = await http.create({ job, env: {}, workspace: {} });
 * await http.start(ref, job); // the response arrives through `events`
 */
export const createHttpLauncher = (o: HttpLauncherOptions): HttpLauncher => {
  const maxBodyBytes = wholeNumber('maxBodyBytes', o.maxBodyBytes ?? DEFAULTS.maxBodyBytes, 0);
  const maxRedirects = wholeNumber('maxRedirects', o.maxRedirects ?? DEFAULTS.maxRedirects, 0);
  const maxLogBodyBytes = wholeNumber('maxLogBodyBytes', o.maxLogBodyBytes ?? DEFAULTS.maxLogBodyBytes, 0);
  const userAgent = o.userAgent ?? DEFAULTS.userAgent;
  const now = o.now ?? Date.now;
  const guard = createTargetGuard({ policy: createAddressPolicy({ allow: o.allow ?? [] }), resolve: o.resolve ?? systemResolver });
  const logger = o.logger ?? consoleLogger;
  const fail = (exec: Pick<Execution, 'ref' | 'key'>, phase: HttpReportError['phase'], cause: unknown) => {
    const err = new HttpReportError(exec.ref, phase, { cause });
    logger.error({ err, jobId: exec.key.jobId, ref: exec.ref }, err.message);
  };

  const executions = new Map<string, Execution>();
  let closed = false;

  /** Reports the exit; the report path retried a failure already, so one that reaches here is logged (the reaper ends the job). */
  const deliverExit = async (exec: Pick<Execution, 'ref' | 'key'>, report: ExitReport) => {
    try {
      await o.events.exited(exec.key, report);
    } catch (err) {
      fail(exec, 'exited', err);
    }
  };

  /** Performs the request and reports its lines and exit; never rejects. */
  const run = async (exec: Execution): Promise<void> => {
    let count = 0;
    let delivered: Promise<void> = Promise.resolve();
    // Lines go out strictly in order, one call at a time; the resume token is the line count.
    const emit = (stream: RawLine['stream'], texts: string[]) => {
      if (texts.length === 0) return;
      const ts = new Date(now()).toISOString();
      const lines = texts.map((line) => ({ stream, ts, line }));
      count += lines.length;
      const token = String(count);
      delivered = delivered.then(() => o.events.output(exec.key, lines, token).catch((err: unknown) => fail(exec, 'output', err)));
    };
    const report = await runHttpRequest(
      { plan: exec.plan, controller: exec.controller!, ...(exec.deadlineAt !== undefined ? { deadlineAt: exec.deadlineAt } : {}) },
      {
        guard,
        send: sendHop,
        maxRedirects,
        maxBodyBytes,
        maxLogBodyBytes,
        userAgent,
        ...(o.ca ? { ca: o.ca } : {}),
        now,
        emit,
        onUnexpected: (err) => fail(exec, 'request', err),
      },
    );
    await delivered;
    // Closed: nobody reports it; after a restart the core finds the job without execution (lost).
    if (report) await deliverExit(exec, report);
  };

  const reportLost = (ref: string, job: Job) =>
    deliverExit(
      { ref, key: { tenant: job.tenant, jobId: job.id } },
      {
        exitCode: 1,
        oomKilled: false,
        timedOut: false,
        failure: {
          code: ErrorCodes.lost,
          message: 'the http request was lost: requests cannot be resumed after the control plane restarted',
        },
      },
    );

  return {
    async create({ job }) {
      if (closed) throw new HttpLauncherClosedError();
      const plan = planHttpRequest(job);
      const ref = `${HTTP_REF_PREFIX}${job.id}:${randomBytes(6).toString('hex')}`;
      executions.set(ref, { ref, key: { tenant: job.tenant, jobId: job.id }, plan });
      return ref;
    },

    async start(ref, job) {
      if (closed) throw new HttpLauncherClosedError();
      const exec = executions.get(ref);
      if (!exec) throw new HttpExecutionNotFoundError(ref);
      if (exec.done) return;
      if (job.deadlineAt !== undefined) exec.deadlineAt = job.deadlineAt;
      exec.controller = new AbortController();
      // Not awaited: start returns at once and the response arrives through events.
      exec.done = run(exec).finally(() => executions.delete(ref));
    },

    async stop(ref) {
      const exec = executions.get(ref);
      if (!exec) return;
      if (!exec.controller || !exec.done) {
        executions.delete(ref);
        return;
      }
      // Stopped at or past its deadline (the reaper): that is a timeout, not a cancellation.
      const why = exec.deadlineAt !== undefined && now() >= exec.deadlineAt ? AbortReasons.timeout : AbortReasons.cancelled;
      exec.controller.abort(abortReasonFor(exec, why));
      await exec.done;
    },

    async list(): Promise<ExecutionInfo[]> {
      return [...executions.values()].map((e) => ({ key: e.key, ref: e.ref, running: e.done !== undefined }));
    },

    async reattach(ref, job) {
      const exec = executions.get(ref);
      // Still in flight in this process: it reports by itself.
      if (exec?.done) return;
      executions.delete(ref);
      await reportLost(ref, job);
    },

    async drain() {
      for (;;) {
        const pending = [...executions.values()].flatMap((e) => (e.done ? [e.done] : []));
        if (pending.length === 0) return;
        await Promise.all(pending);
      }
    },

    async close() {
      closed = true;
      const pending: Promise<void>[] = [];
      for (const exec of [...executions.values()]) {
        if (exec.controller && exec.done) {
          exec.controller.abort(abortReasonFor(exec, AbortReasons.closed));
          pending.push(exec.done);
        } else {
          executions.delete(exec.ref);
        }
      }
      await Promise.all(pending);
    },
  };
};
