import { WorkspaceLayout } from '../../core';
import { WorkspacePath } from './workspacePath';

/**
 * Where the job's wrapper hands `out/` to the control plane. `out/` is a size-capped tmpfs,
 * gone once the container stops, so the wrapper packs it into files on the disk volume, which
 * outlive the container until its removal. The directory is root's; its two files are
 * created empty by the upload and belong to the job user (the wrapper runs as that user).
 */
export const HandOff = {
  dir: '.cronium',
  /** A tar of `out/` as the script left it (cut at {@link HandOffTarCapBytes}). */
  tar: 'out.tar',
  /** `<total blocks> <free blocks> <block size> <free inodes>` of the `out/` tmpfs when it was packed. */
  usage: 'usage',
} as const;

/** Most bytes the wrapper writes into `out.tar`: 1 MiB of data plus the headers of 1,000 entries fit well. */
export const HandOffTarCapBytes = 8 * 1024 * 1024;

/** How long before the expected deadline the wrapper packs `out/` once (a deadline kill leaves no time after). */
export const SnapshotLeadMs = 400;

const out = `${WorkspacePath}/${WorkspaceLayout.outDir}`;
const dir = `${WorkspacePath}/${HandOff.dir}`;

/**
 * The job's wrapper (POSIX sh, so every image runs it, and it does not source `BASH_ENV`).
 * `$1` is the epoch millisecond at which to pack `out/` ahead of a deadline kill; the rest is
 * the runtime's command, run as a child. When it ends, `out/` is packed again and its exit
 * status passed on. `ulimit -f` counts 512-byte blocks in dash.
 */
export const WrapperScript = [
  `pack() { s=$(stat -f -c '%b %a %S %d' ${out}); (ulimit -f ${HandOffTarCapBytes / 512}; exec tar -C ${out} -cf ${dir}/${HandOff.tar} .) 2>/dev/null; printf '%s\\n' "$s" > ${dir}/${HandOff.usage}; }`,
  'at=$1; shift',
  'trap pack USR1',
  '"$@" & pid=$!',
  'w=$((at - $(date +%s%3N)))',
  'if [ "$w" -gt 0 ]; then (sleep "$((w / 1000)).$(printf %03d $((w % 1000)))" && kill -USR1 $$) & watch=$!; fi',
  // wait returns early for a trapped signal; the child still running means it was that.
  'while :; do wait "$pid"; rc=$?; kill -0 "$pid" 2>/dev/null || break; done',
  '[ -n "${watch:-}" ] && kill "$watch" 2>/dev/null',
  'trap - USR1',
  'pack',
  'exit "$rc"',
].join('\n');

/** The container command: the wrapper around the runtime's own command. */
export const wrappedCommand = (command: readonly string[], snapshotAt: number): string[] => [
  'sh',
  '-c',
  WrapperScript,
  'cronium-run',
  String(Math.floor(snapshotAt)),
  ...command,
];
