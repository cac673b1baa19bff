// dynalite ships no types; this covers the part the local runtime and the tests call.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
    verbose?: boolean;
    debug?: boolean;
    ssl?: boolean;
  }

  /** Returns an unstarted HTTP server; `close()` also closes its store. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
