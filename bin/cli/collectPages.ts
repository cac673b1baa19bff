import type { Page } from './types';

/**
 * Reads one page, or with `all` every page by following `nextCursor`.
 * Returns the items and whether more remain unread.
 */
export const collectPages = async <T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  all: boolean,
): Promise<{ items: T[]; more: boolean }> => {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.nextCursor || undefined;
    if (!cursor) return { items, more: false };
    if (!all) return { items, more: true };
    // A cursor that comes back twice would page forever.
    if (seen.has(cursor)) return { items, more: false };
    seen.add(cursor);
  }
};
