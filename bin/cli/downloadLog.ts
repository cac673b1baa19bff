import { open } from 'node:fs/promises';
import type { ApiClient } from './apiClient';

/** The header a cut download names the last seq it holds in (AWS: one Lambda payload at a time). */
const NEXT_AFTER = 'x-cronium-next-after';

export const DownloadFormats = ['text', 'ndjson'] as const;
export type DownloadFormat = (typeof DownloadFormats)[number];

/**
 * Saves a job's whole stored log to `file` as it arrives, never all of it in memory. One request on
 * one machine (the gateway streams); on AWS as many as the log needs, each going on where the
 * previous one stopped.
 * @returns bytes written and requests made.
 */
export const downloadLog = async (
  api: ApiClient,
  jobId: string,
  file: string,
  format: DownloadFormat,
): Promise<{ bytes: number; requests: number }> => {
  const fetchPart = (after: number) => api.getRaw(`/jobs/${encodeURIComponent(jobId)}/logs/download`, { format, after });
  // The first answer comes before the file is made: a refused download leaves no empty file behind.
  let res = await fetchPart(0);
  let requests = 1;
  let bytes = 0;
  const out = await open(file, 'w', 0o600);
  try {
    for (let after = 0; ;) {
      if (res.body) {
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          await out.write(chunk);
          bytes += chunk.byteLength;
        }
      }
      const next = res.headers.get(NEXT_AFTER);
      if (next === null || !/^\d+$/.test(next) || Number(next) <= after) break;
      after = Number(next);
      res = await fetchPart(after);
      requests++;
    }
  } finally {
    await out.close();
  }
  return { bytes, requests };
};
