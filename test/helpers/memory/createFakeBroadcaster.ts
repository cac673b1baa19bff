import type { Broadcaster } from '../../../lambdas/core/ports';
import type { LogMessage, StatusMessage } from '../../../lambdas/core/live/messages';

export type PushedMessage = LogMessage | StatusMessage;

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
  /** `seq` of each log message the connection received, in order. */
  logSeqsFor(connectionId: string): number[];
  statusesFor(connectionId: string): StatusMessage[];
  /** From now on sends to the connection fail as a gone connection does (`send` returns false). */
  markGone(connectionId: string): void;
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
      if (gone.has(connectionId)) return false;
      const list = received.get(connectionId) ?? [];
      list.push(pushed);
      received.set(connectionId, list);
      return true;
    },
    messagesFor,
    logSeqsFor: (connectionId) => messagesFor(connectionId).flatMap((m) => (m.type === 'log' ? [m.seq] : [])),
    statusesFor: (connectionId) => messagesFor(connectionId).flatMap((m) => (m.type === 'status' ? [m] : [])),
    markGone(connectionId) {
      gone.add(connectionId);
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
