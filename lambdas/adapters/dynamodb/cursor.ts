import { ValidationError } from '../../core';

/** Where a listing stopped: the index sort key and id of the last item returned. */
export interface CursorPosition {
  sortKey: string;
  id: string;
}

const MAX_CURSOR_LENGTH = 1024;

/** An opaque, URL-safe cursor. It holds no tenant and no index name: the reader supplies both. */
export const encodeCursor = (p: CursorPosition): string => Buffer.from(JSON.stringify([p.sortKey, p.id]), 'utf8').toString('base64url');

/**
 * Reads a cursor made by encodeCursor.
 * @throws ValidationError('cursor') when it is not one.
 */
export function decodeCursor(cursor: string): CursorPosition {
  const bad = () => new ValidationError('cursor', 'is not a cursor returned by this listing');
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [sortKey, id] = parsed as unknown[];
  // Sort keys of listings end with `#<id>` (see IndexKeys.created), so anything else is forged or foreign.
  if (typeof sortKey !== 'string' || typeof id !== 'string' || id.length === 0 || id.includes('#') || !sortKey.endsWith(`#${id}`)) {
    throw bad();
  }
  return { sortKey, id };
}
