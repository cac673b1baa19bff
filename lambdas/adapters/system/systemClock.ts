import type { Clock } from '../../core';

export const systemClock: Clock = { now: () => Date.now() };
