export { createReadStats, DEFAULT_STATS_RANGE_MS, MAX_STATS_RANGE_MS } from './createReadStats';
export type { EventStats, StatsQuery, StatsReport } from './createReadStats';
export { createStatsHook } from './statsHook';
export { hourOf, statsEntryOf } from './statsModel';
export type { StatsBucket, StatsCounts, StatsEntry } from './statsModel';
export { BUCKETS_PER_DOUBLING, MAX_BUCKET, RELATIVE_PRECISION, bucketOf, percentileOf, valueOf } from './logHistogram';
export type { Histogram } from './logHistogram';
export type { DurationFigures, StatsSummary, WaitFigures } from './summarize';
