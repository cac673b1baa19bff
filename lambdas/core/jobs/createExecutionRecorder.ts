import type { CoreDeps } from '../deps';
import { ConflictError } from '../errors';
import { jobKeyId, type JobKey, type LogLine } from '../model';
import type { ExecutionEvents, ExitReport, LogBatch, RawLine } from '../ports';
import type { LiveFeed } from '../live/createLiveFeed';
import type { BackgroundLiveFeed } from '../live/scheduleDeliveries';
import type { Variables } from '../variables/createVariables';
import { createPieceMasker, type PieceMasker } from '../workspace/createLineMasker';
import { createMasker, secretSetOf } from '../workspace/createMasker';
import { maskValue, revealsSecret } from '../workspace/maskValue';
import { readRunResults } from '../workspace/workspaceContract';
import type { Servers } from '../servers/createServers';
import { aggregateExecutions } from './aggregateExecutions';
import { endingFor } from './executionOutcome';
import type { Ending } from './ending';
import type { Lifecycle } from './createLifecycle';
import { batchesForStore, cutLongLine } from './logPieces';

/** Where the job's stored log ends, as this recorder knows it. */
interface LogCursor {
  seq: number;
  bytes: number;
  /** The launcher position stored with the last batch: a batch split in several stores it on all but its last. */
  resumeToken?: string;
  /** The attempt of a retried job the lines belong to: the last stored line's (a retry starts with a notice of it). */
  attempt?: number;
}

/** The job's secrets, and the lines cut into pieces whose end has not arrived yet. */
interface JobMasking {
  mask: (text: string) => string;
  step: PieceMasker;
  /** Per stream and server: what is held back of a line in progress, and its latest piece. */
  open: Map<string, { carry: string; last: RawLine }>;
}

/** A masked line ready to be numbered. */
type MaskedLine = Omit<LogLine, 'seq'>;

/**
 * Raw lines that follow a stream position, picked by a reporter that knows the positions (the AWS
 * log forwarder and completion drain): given the resume token stored with the job's last log batch
 * (undefined when none), it returns the lines after it and the token after them, or undefined when
 * there is nothing new.
 */
export type PickAfter = (resumeToken: string | undefined) => Promise<{ lines: RawLine[]; resumeToken: string } | undefined>;

/** What a reporter knows of a job from its launch, which saves the recorder a read. */
export interface OutputHints {
  /** The job got no secret value (ExecutionRequest.secretFree): its lines are not masked, and the tenant's secrets are not read. */
  secretFree?: boolean;
  /**
   * The job's log held no line at its launch (ExecutionRequest.freshLog): a recorder with no cursor
   * for it starts at seq 1 instead of reading the tail. Only the first batch's write may rely on it:
   * a log that has lines since holds a batch at seq 1, so that write conflicts and the tail is read.
   */
  freshLog?: boolean;
}

/** Jobs whose cursor and masking a recorder keeps between reports (a warm Lambda sees many jobs). */
const MAX_CACHED_JOBS = 1_000;

/** Picks again after a conflict before giving up (the caller's retry then starts afresh). */
const PICK_ATTEMPTS = 5;

/** Bounds a cache kept in insertion order: the oldest entry goes first. */
const remember = <V>(map: Map<string, V>, id: string, value: V) => {
  map.set(id, value);
  if (map.size > MAX_CACHED_JOBS) map.delete(map.keys().next().value!);
};

const lineKey = (r: RawLine) => `${r.stream}\u0000${r.server ?? ''}`;

/** A batch picked after a stream position lost its conditional write: the position moved on. */
class StalePosition extends Error {
  constructor(override readonly cause: ConflictError) {
    super('the stored log position moved on', { cause });
  }
}

/** Attempts at storing one batch when the failure is not a second writer's conflict. */
const StoreAttempts = 3;

/**
 * Turns what launchers report into stored, numbered, capped log lines and a job ending.
 * Output of one job is handled strictly in order (a promise chain per job); batching comes for free,
 * because lines that arrive while a write is in flight go out in the next one. Stored batches are
 * kept under the store's item size, and pushes to subscribers run in the background (`live` should
 * be a BackgroundLiveFeed), so neither storing nor ending waits on subscribers.
 */
export const createExecutionRecorder = (
  { store, config, logger }: Pick<CoreDeps, 'store' | 'config' | 'logger'>,
  live: LiveFeed,
  lifecycle: Lifecycle,
  variables: Variables,
  servers: Servers,
): Required<ExecutionEvents> & {
  outputAfter(key: JobKey, pick: PickAfter, hints?: OutputHints): Promise<void>;
  settled(key: JobKey): Promise<void>;
} => {
  const cursors = new Map<string, LogCursor>();
  const maskings = new Map<string, Promise<JobMasking>>();
  const chains = new Map<string, Promise<unknown>>();

  const serial = <T>(key: JobKey, work: () => Promise<T>): Promise<T> => {
    const id = jobKeyId(key);
    const run = (chains.get(id) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => undefined);
    chains.set(id, settled);
    void settled.then(() => {
      if (chains.get(id) === settled) chains.delete(id);
    });
    return run;
  };

  /** `presumeEmpty`: with no cursor, one at the start of an empty log (OutputHints.freshLog), not the tail read. */
  const cursorFor = async (key: JobKey, presumeEmpty = false): Promise<LogCursor> => {
    const known = cursors.get(jobKeyId(key));
    if (known) return known;
    if (presumeEmpty) {
      const start: LogCursor = { seq: 0, bytes: 0 };
      remember(cursors, jobKeyId(key), start);
      return start;
    }
    const tail = await store.logs.tail(key);
    const cursor: LogCursor = {
      seq: tail.lastSeq,
      bytes: tail.totalBytes,
      ...(tail.resumeToken !== undefined ? { resumeToken: tail.resumeToken } : {}),
      ...(tail.attempt !== undefined ? { attempt: tail.attempt } : {}),
    };
    remember(cursors, jobKeyId(key), cursor);
    return cursor;
  };

  const maskingFor = (key: JobKey, hints: OutputHints = {}): Promise<JobMasking> => {
    const id = jobKeyId(key);
    let masking = maskings.get(id);
    if (!masking) {
      // A job launched with no secret value has none to mask; a secret created since never reached it.
      masking = (hints.secretFree ? Promise.resolve([]) : variables.secretsOf(key.tenant)).then((values) => {
        const secrets = secretSetOf(values);
        return { mask: createMasker(secrets.values), step: createPieceMasker(secrets), open: new Map() };
      });
      masking.catch(() => maskings.delete(id));
      remember(maskings, id, masking);
    }
    return masking;
  };

  /**
   * Masks raw lines; a line cut in pieces is masked as one stream, so what a piece holds back (the
   * start of a secret, maybe) goes out with the next piece. Mutates `open`: the caller restores it
   * when nothing could be stored.
   */
  const maskLines = (masking: JobMasking, raw: RawLine[]): MaskedLine[] => {
    const out: MaskedLine[] = [];
    for (const r of raw.flatMap((l) => cutLongLine(l))) {
      const id = lineKey(r);
      const carry = masking.open.get(id)?.carry ?? '';
      const { text, carry: rest } = masking.step(carry, r.line, r.partial === true);
      if (r.partial) masking.open.set(id, { carry: rest, last: r });
      else masking.open.delete(id);
      // A continuing piece that is all held back has nothing to store yet.
      if (r.partial && text === '') continue;
      out.push({ stream: r.stream, ts: r.ts, line: text, ...(r.server ? { server: r.server } : {}) });
    }
    return out;
  };

  /** What lines still held back when the output ended say: they end there. */
  const flushOpen = (masking: JobMasking): MaskedLine[] => {
    const out: MaskedLine[] = [];
    for (const { carry, last } of masking.open.values()) {
      const { text } = masking.step(carry, '', false);
      if (text !== '') out.push({ stream: last.stream, ts: last.ts, line: text, ...(last.server ? { server: last.server } : {}) });
    }
    masking.open.clear();
    return out;
  };

  const capNotice = (ts: string): MaskedLine => ({
    stream: 'system',
    ts,
    line: `[cronium] log limit of ${config.maxLogBytes} bytes reached; further output is dropped`,
  });

  /** Numbers masked lines after the cursor, up to the cap (the notice's line counted in). */
  const number = (cursor: LogCursor, masked: MaskedLine[]): LogLine[] => {
    const lines: LogLine[] = [];
    for (const m of masked) {
      // Past the cap: dropped; the notice was stored when the cap was reached.
      if (cursor.bytes > config.maxLogBytes) break;
      cursor.bytes += Buffer.byteLength(m.line) + 1;
      if (cursor.bytes > config.maxLogBytes) {
        lines.push({ seq: ++cursor.seq, ...capNotice(m.ts) });
        break;
      }
      lines.push({ seq: ++cursor.seq, ...m, ...(cursor.attempt !== undefined ? { attempt: cursor.attempt } : {}) });
    }
    return lines;
  };

  /** Stores one batch, retrying a failure other than a conflict a few times. */
  const put = async (key: JobKey, batch: LogBatch): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.logs.append(key, batch);
        return;
      } catch (err) {
        if (err instanceof ConflictError || attempt >= StoreAttempts) throw err;
      }
    }
  };

  const lostNotice = (line: LogLine, err: unknown): LogLine => ({
    seq: line.seq,
    stream: 'system',
    ts: line.ts,
    line: `[cronium] a line of ${Buffer.byteLength(line.line)} bytes could not be stored and was dropped (${err instanceof Error ? err.message : 'store error'})`,
  });

  /**
   * Stores consecutive lines as one batch. A batch the store keeps refusing is stored in halves,
   * and a single line it refuses becomes a visible system line in its place: a reader sees the
   * loss where it happened, never a silent gap. `totalBytes` is the log's size after each line.
   * @returns the lines as stored (a notice in place of a refused line).
   * @throws ConflictError (another writer), or the store's error when even the notice failed.
   */
  const storeBatch = async (key: JobKey, lines: LogLine[], totalBytes: number[], resumeToken: string | undefined): Promise<LogLine[]> => {
    const batch = (l: LogLine[], bytes: number): LogBatch => ({
      lines: l,
      totalBytes: bytes,
      ...(resumeToken !== undefined ? { resumeToken } : {}),
    });
    try {
      await put(key, batch(lines, totalBytes.at(-1)!));
      return lines;
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      if (lines.length === 1) {
        logger.error({ err, jobId: key.jobId, seq: lines[0]!.seq }, 'a log line could not be stored; stored a notice in its place');
        const notice = lostNotice(lines[0]!, err);
        await put(key, batch([notice], totalBytes[0]!));
        return [notice];
      }
      const half = Math.ceil(lines.length / 2);
      const first = await storeBatch(key, lines.slice(0, half), totalBytes.slice(0, half), resumeToken);
      return [...first, ...(await storeBatch(key, lines.slice(half), totalBytes.slice(half), resumeToken))];
    }
  };

  /**
   * Numbers and stores masked lines, in batches that fit a store item, each with the conditional
   * write. A conflict means another writer (a second follower, another Lambda) stored lines at our
   * next seq. By default the tail is read again and what is left is numbered after theirs, so nothing
   * is lost. With `exact` (the lines were picked after the stored position, so theirs may be the same
   * lines), a conflict before anything was stored throws StalePosition for the caller to pick again,
   * and one after a part was stored ends here: the other writer started after that part and picked
   * the rest itself. Every batch but the last carries the previous resume token: a launcher resuming
   * after a crash between them reads those lines again rather than skipping them.
   * @returns the lines as stored, in order.
   */
  const append = async (key: JobKey, masked: MaskedLine[], resumeToken: string, exact = false): Promise<LogLine[]> => {
    let left = masked;
    const stored: LogLine[] = [];
    for (let conflicts = 0; left.length > 0;) {
      const cursor = await cursorFor(key);
      const before = { ...cursor };
      const lines = number(cursor, left);
      if (lines.length === 0) return stored;
      let bytes = before.bytes;
      const totalBytes = lines.map((l) => (bytes += Buffer.byteLength(l.line) + 1));
      let done = 0;
      try {
        const batches = batchesForStore(lines);
        for (const [i, batch] of batches.entries()) {
          const token = i === batches.length - 1 ? resumeToken : before.resumeToken;
          stored.push(...(await storeBatch(key, batch, totalBytes.slice(done, done + batch.length), token)));
          done += batch.length;
          if (token === undefined) delete cursor.resumeToken;
          else cursor.resumeToken = token;
        }
        return stored;
      } catch (err) {
        // What was stored stays; the rest is numbered again after the tail as stored.
        cursors.delete(jobKeyId(key));
        left = left.slice(done);
        if (exact && err instanceof ConflictError) {
          if (done === 0) throw new StalePosition(err);
          return stored;
        }
        if (!(err instanceof ConflictError) || ++conflicts > 4) throw err;
        logger.warn({ jobId: key.jobId }, 'another writer stored log lines first; numbering after them');
      }
    }
    return stored;
  };

  const output = (key: JobKey, raw: RawLine[], resumeToken: string) =>
    serial(key, async () => {
      if (raw.length === 0) return;
      const [cursor, masking] = await Promise.all([cursorFor(key), maskingFor(key)]);
      // Past the cap nothing more is stored: skip the masking too (a flood costs no more than reading it).
      if (cursor.bytes > config.maxLogBytes) return;
      const open = new Map(masking.open);
      let stored: LogLine[];
      try {
        stored = await append(key, maskLines(masking, raw), resumeToken);
      } catch (err) {
        // Nothing or not all was stored: the launcher sends these lines again, so mask them again from here.
        masking.open = open;
        throw err;
      }
      if (stored.length > 0) void live.deliver(key, stored);
    });

  /**
   * Stores the lines a reporter picks after the stored stream position, each once however many
   * reporters hold them (docs/aws.md, Ordering). The position comes from this recorder's cursor (the
   * tail is read only when it has none, and not even then for a log the hints say is fresh: its start
   * is the position), and the first batch's conditional write checks it: when
   * another writer stored at that seq first, its lines may be the very lines picked, so the tail is
   * read again and the reporter picks again after the new position, instead of numbering the same
   * lines a second time. Past the cap nothing is picked at all.
   */
  const outputAfter = (key: JobKey, pick: PickAfter, hints?: OutputHints) =>
    serial(key, async () => {
      for (let attempt = 1; ; attempt++) {
        // A fresh log is presumed only before the first try: a conflict drops the cursor, and the retry reads the tail.
        const presumed = attempt === 1 && hints?.freshLog === true && !cursors.has(jobKeyId(key));
        const [cursor, masking] = await Promise.all([cursorFor(key, presumed), maskingFor(key, hints)]);
        if (cursor.bytes > config.maxLogBytes) return;
        const picked = await pick(cursor.resumeToken);
        if (!picked || picked.lines.length === 0) {
          // Nothing was written to check the presumption: do not keep it for the next report.
          if (presumed) cursors.delete(jobKeyId(key));
          return;
        }
        const open = new Map(masking.open);
        let stored: LogLine[];
        try {
          stored = await append(key, maskLines(masking, picked.lines), picked.resumeToken, true);
        } catch (err) {
          masking.open = open;
          if (err instanceof StalePosition && attempt < PICK_ATTEMPTS) {
            logger.info({ jobId: key.jobId }, 'another writer stored log lines at this position first; picking again after them');
            continue;
          }
          throw err instanceof StalePosition ? err.cause : err;
        }
        if (stored.length > 0) void live.deliver(key, stored);
        return;
      }
    });

  /**
   * Masks every secret value in what the ending stores and shows: error messages, output (also each
   * server's), and outputError. A condition is a boolean and carries no text.
   */
  const maskEnding = (ending: Ending, mask: (text: string) => string): Ending => {
    const results = ending.results
      ? {
          ...ending.results,
          ...(ending.results.output !== undefined ? { output: maskValue(ending.results.output, mask) } : {}),
          ...(ending.results.outputError !== undefined ? { outputError: mask(ending.results.outputError) } : {}),
        }
      : undefined;
    return {
      ...ending,
      ...(ending.error ? { error: { ...ending.error, message: mask(ending.error.message) } } : {}),
      ...(results ? { results } : {}),
      ...(ending.executions
        ? {
            executions: ending.executions.map((e) => ({
              ...e,
              ...(e.error ? { error: { ...e.error, message: mask(e.error.message) } } : {}),
              ...(e.output !== undefined ? { output: maskValue(e.output, mask) } : {}),
            })),
          }
        : {}),
    };
  };

  /** One execution's report, or several servers' folded into one. */
  const endingOf = (report: ExitReport, memoryMb: number | undefined): { ending: Ending; variables: Record<string, unknown>[] } => {
    if (report.executions) return aggregateExecutions(report.executions);
    const results = readRunResults(report.outputs);
    return {
      ending: {
        ...endingFor(report, memoryMb),
        results: {
          ...(results.output !== undefined ? { output: results.output } : {}),
          ...(results.condition !== undefined ? { condition: results.condition } : {}),
          ...(results.problems.length ? { outputError: results.problems.join('; ') } : {}),
        },
      },
      variables: results.variables ? [results.variables] : [],
    };
  };

  /**
   * The variables a script set, without those that would store a secret value where it can be
   * read back: a plain variable whose key or value holds one is refused (a secret variable keeps its
   * value encrypted, so it may take one). @returns what to store, and the refused keys' problems.
   */
  const withoutRevealedSecrets = async (
    tenant: string,
    set: Record<string, unknown>[],
    mask: (text: string) => string,
  ): Promise<{ allowed: Record<string, unknown>[]; problems: string[] }> => {
    const refused: string[] = [];
    const allowed: Record<string, unknown>[] = [];
    for (const vars of set) {
      const kept: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(vars)) {
        const reveals = mask(name) !== name || revealsSecret(value, mask);
        if (reveals && !(await store.variables.get(tenant, name))?.secret) refused.push(mask(name));
        else kept[name] = value;
      }
      allowed.push(kept);
    }
    const problems = refused.length
      ? [
          `variables not set because their value holds a secret value (store it in a secret variable instead): ${[...new Set(refused)].join(', ')}`,
        ]
      : [];
    return { allowed, problems };
  };

  const exited = (key: JobKey, report: ExitReport) =>
    serial(key, async () => {
      const masking = await maskingFor(key);
      // Lines whose end never came: what they held back is stored now, before the job ends.
      const rest = flushOpen(masking);
      if (rest.length > 0 && (await cursorFor(key)).bytes <= config.maxLogBytes) {
        const stored = await append(key, rest, (await cursorFor(key)).resumeToken ?? '');
        if (stored.length > 0) void live.deliver(key, stored);
      }
      // The final status carries the last line's seq: the cursor knows it (read once if this recorder stored nothing).
      const { seq: lastSeq } = await cursorFor(key);
      cursors.delete(jobKeyId(key));
      maskings.delete(jobKeyId(key));
      const job = await store.jobs.get(key);
      const { ending, variables: set } = endingOf(report, job?.resources.memoryMb);
      let final = ending;
      if (job?.status === 'running') {
        const { allowed, problems } = await withoutRevealedSecrets(key.tenant, set, masking.mask);
        for (const vars of allowed) await variables.applyFromJob(key.tenant, vars);
        if (problems.length) {
          const outputError = [ending.results?.outputError, ...problems].filter(Boolean).join('; ');
          final = { ...ending, results: { ...ending.results, outputError } };
        }
      }
      await lifecycle.end(key, maskEnding(final, masking.mask), { job, lastSeq });
    });

  const hostKeySeen = (key: JobKey, serverId: string, fingerprint: string) => servers.recordHostKey(key.tenant, serverId, fingerprint);

  /** Resolves once the pushes to subscribers this recorder started for the job are done. */
  const settled = async (key: JobKey) => {
    await chains.get(jobKeyId(key));
    if ('idle' in live) await (live as BackgroundLiveFeed).idle(key);
  };

  const logFull = (key: JobKey) => (cursors.get(jobKeyId(key))?.bytes ?? 0) > config.maxLogBytes;

  return { output, outputAfter, exited, hostKeySeen, logFull, settled };
};
