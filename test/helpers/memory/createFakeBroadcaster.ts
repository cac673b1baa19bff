import type { Broadcaster } from '../../../lambdas/core/ports';
import type { LiveMessage, StatusMessage } from '../../../lambdas/core/live/messages';
import type { LogLine } from '../../../lambdas/core/model';

export type PushedMessage = LiveMessage;

/** A send the test holds back: it parks every matching send until `release()`. */
export interface SendGate {
  /** Resolves once a matching send is parked at the gate. */
  readonly reached: Promise<void>;
  /** Lets the parked sends (and every later one) through. */
  release(): void;
}

/** A Broadcaster that records what each connection received, in delivery order. */
export interface FakeBroadcaster extends Broadcaster {
  /** Every message the connection received, in order. */
  messagesFor(connectionId: string): PushedMessage[];
  /** `seq` of each log line the connection received (across its `logs` frames), in order. */
  logSeqsFor(connectionId: string): number[];
  /** Each log line the connection received, with the `jobId` of its frame, in order. */
  logLinesFor(connectionId: string): (LogLine & { jobId: string })[];
  statusesFor(connectionId: string): StatusMessage[];
  /** From now on sends to the connection fail as a gone connection does (`send` answers `gone`). */
  markGone(connectionId: string): void;
  /**
   * From now on the connection takes `accepted` more messages, then answers `throttled` to every
   * message larger than `smallBytes` (like the local gateway's send-buffer cap) until `markFast`.
   */
  markSlow(connectionId: string, o?: { accepted?: number; smallBytes?: number }): void;
  markFast(connectionId: string): void;
  /** Parks sends matching `filter` (default: all) until the returned gate is released. */
  hold(filter?: (connectionId: string, message: PushedMessage) => boolean): SendGate;
}

interface ActiveGate {
  filter: (connectionId: string, message: PushedMessage) => boolean;
  opened: Promise<void>;
  onReached: () => void;
  released: boolean;
}

export const createFakeBroadcaster = (): FakeBroadcaster => {
  const received = new Map<string, PushedMessage[]>();
  const gone = new Set<string>();
  const slow = new Map<string, { accepted: number; smallBytes: number }>();
  const gates: ActiveGate[] = [];
  const messagesFor = (connectionId: string) => (received.get(connectionId) ?? []).map((m) => structuredClone(m));

  return {
    async send(connectionId, message) {
      const pushed = structuredClone(message) as PushedMessage;
      for (const gate of gates) {
        if (!gate.released && gate.filter(connectionId, pushed)) {
          gate.onReached();
          await gate.opened;
        }
      }
      if (gone.has(connectionId)) return 'gone';
      const throttle = slow.get(connectionId);
      if (throttle) {
        if (throttle.accepted > 0) throttle.accepted--;
        else if (JSON.stringify(pushed).length > throttle.smallBytes) return 'throttled';
      }
      const list = received.get(connectionId) ?? [];
      list.push(pushed);
      received.set(connectionId, list);
      return 'sent';
    },
    messagesFor,
    logSeqsFor: (connectionId) => messagesFor(connectionId).flatMap((m) => (m.type === 'logs' ? m.lines.map((l) => l.seq) : [])),
    logLinesFor: (connectionId) =>
      messagesFor(connectionId).flatMap((m) => (m.type === 'logs' ? m.lines.map((l) => ({ ...l, jobId: m.jobId })) : [])),
    statusesFor: (connectionId) => messagesFor(connectionId).flatMap((m) => (m.type === 'status' ? [m] : [])),
    markGone(connectionId) {
      gone.add(connectionId);
    },
    markSlow(connectionId, o = {}) {
      slow.set(connectionId, { accepted: o.accepted ?? 0, smallBytes: o.smallBytes ?? 1024 });
    },
    markFast(connectionId) {
      slow.delete(connectionId);
    },
    hold(filter = () => true) {
      let open!: () => void;
      let onReached!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      const reached = new Promise<void>((resolve) => (onReached = resolve));
      const gate: ActiveGate = { filter, opened, onReached, released: false };
      gates.push(gate);
      return {
        reached,
        release() {
          gate.released = true;
          open();
        },
      };
    },
  };
};
