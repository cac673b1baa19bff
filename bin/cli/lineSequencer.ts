import type { LogLine } from './types';

/** What {@link LineSequencer.offer} did with a line. */
export type OfferResult = 'emitted' | 'duplicate' | 'gap';

/**
 * Hands lines to a sink exactly once and in `seq` order, whichever channel
 * (socket or REST) they arrive on. `last` is the highest seq emitted.
 */
export interface LineSequencer {
  readonly last: number;
  /** A socket line: emitted only if it is the next one; older ones are dropped; a later one is a gap to fill first. */
  offer(line: LogLine): OfferResult;
  /** A stored line from REST, the authority: emitted if newer, even across a gap the store itself has. */
  accept(line: LogLine): boolean;
}

/** Creates a sequencer that has already seen every line up to `afterSeq`. */
export const createLineSequencer = (afterSeq: number, sink: (line: LogLine) => void): LineSequencer => {
  let last = afterSeq;
  const emit = (line: LogLine): void => {
    last = line.seq;
    sink(line);
  };
  return {
    get last() {
      return last;
    },
    offer(line) {
      if (line.seq <= last) return 'duplicate';
      if (line.seq > last + 1) return 'gap';
      emit(line);
      return 'emitted';
    },
    accept(line) {
      if (line.seq <= last) return false;
      emit(line);
      return true;
    },
  };
};
