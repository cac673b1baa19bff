import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { ScriptRuntimes, type ScriptRuntime } from '../lambdas/core/model';

// `npm run pin-bases [-- --refresh] [-- -c cronium:imageBase[:runtime]=TAG]`: resolves each runtime image's
// base tag to its image-index digest and writes `cronium:imageBase:<runtime>` = `TAG@sha256:…` into
// ./cdk.context.json, which the CDK CLI merges into bin/app.ts's context (as it does its own lookups).

const RUNTIME_IMAGES_DIR = fileURLToPath(new URL('../runtime-images/', import.meta.url));
const CONTEXT_FILE = 'cdk.context.json';
const DIGEST = /^sha256:[a-f0-9]{64}$/;

type Context = Record<string, unknown>;

const isPinned = (ref: string): boolean => ref.includes('@sha256:');
/** `name:tag@sha256:…` → `name:tag`; undefined for `name@sha256:…`, which has no tag to resolve again. */
const tagOf = (ref: string): string | undefined => {
  const named = ref.split('@')[0] ?? '';
  return named.slice(named.lastIndexOf('/') + 1).includes(':') ? named : undefined;
};

/** The `ARG BASE=` default of a runtime's Dockerfile, the base it builds FROM when none is given. */
const dockerfileBase = (runtime: ScriptRuntime): string => {
  const file = path.join(RUNTIME_IMAGES_DIR, runtime, 'Dockerfile');
  const base = /^ARG BASE=(\S+)\s*$/m.exec(readFileSync(file, 'utf8'))?.[1];
  if (base === undefined) throw new Error(`${file} has no ARG BASE= default`);
  return base;
};

const readJson = (file: string): Context => {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Context;
  } catch (err) {
    throw new Error(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
};

const stringAt = (context: Context, key: string): string | undefined => {
  const value = context[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** `-c KEY=VALUE` as the CDK CLI takes it. */
const parseContextArgs = (pairs: string[]): Context =>
  Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`-c ${pair}: expected KEY=VALUE`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );

/** The image-index digest of `ref` (it covers every platform, so one pin builds for ARM64 and x86_64). */
const resolveDigest = async (ref: string): Promise<string> => {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('docker', ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}']));
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; message?: string };
    // Docker's first line says what failed; a docker without buildx follows it with its whole usage text.
    const first = (e.stderr?.trim() || e.message || String(err)).split('\n')[0]?.trim() ?? '';
    const why =
      e.code === 'ENOENT' ? 'docker is not on PATH' : /^unknown (flag|command)/.test(first) ? `${first} (needs docker buildx)` : first;
    throw new Error(`cannot resolve ${ref}: ${why}`, { cause: err });
  }
  let digest: unknown;
  try {
    digest = (JSON.parse(stdout) as { digest?: unknown }).digest;
  } catch {
    throw new Error(`cannot resolve ${ref}: docker buildx imagetools printed no JSON manifest`);
  }
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new Error(`cannot resolve ${ref}: no sha256 digest in the manifest`);
  return digest;
};

const program = new Command('pin-bases')
  .description('Pins the base of each runtime image to its digest in ./cdk.context.json, for cdk deploy to build FROM.')
  .option('--refresh', 're-resolve every base, pinned ones too (to take a new base, e.g. a security update)')
  .option('-c, --context <key=value>', 'a cronium:imageBase[:runtime] tag to pin, as cdk takes it', (v, acc: string[]) => [...acc, v], [])
  .parse();
const o = program.opts<{ refresh?: boolean; context: string[] }>();

try {
  const contextFile = path.resolve(CONTEXT_FILE);
  const given = parseContextArgs(o.context);
  const lock = readJson(contextFile);
  const project = (readJson(path.resolve('cdk.json')).context ?? {}) as Context;
  // A base given on the command line is what to pin; otherwise the files' as bin/app.ts reads them after the CDK
  // CLI merged them (cdk.context.json over cdk.json), a runtime's own base over the common one.
  const first = (key: string) => [lock, project].map((c) => stringAt(c, key)).find((b) => b !== undefined);
  const baseOf = (rt: ScriptRuntime): string =>
    stringAt(given, `cronium:imageBase:${rt}`) ??
    stringAt(given, 'cronium:imageBase') ??
    first(`cronium:imageBase:${rt}`) ??
    first('cronium:imageBase') ??
    dockerfileBase(rt);

  const toResolve = new Map<ScriptRuntime, string>();
  for (const rt of ScriptRuntimes) {
    const base = baseOf(rt);
    const tag = isPinned(base) ? (o.refresh ? tagOf(base) : undefined) : base;
    if (tag === undefined)
      process.stdout.write(`${rt}: ${base} (${o.refresh ? 'no tag to resolve again' : 'pinned already'}, left alone)\n`);
    else toResolve.set(rt, tag);
  }
  const tags = [...new Set(toResolve.values())];
  const digests = new Map(await Promise.all(tags.map(async (tag) => [tag, await resolveDigest(tag)] as const)));
  if (toResolve.size > 0) {
    const pins = Object.fromEntries([...toResolve].map(([rt, tag]) => [`cronium:imageBase:${rt}`, `${tag}@${digests.get(tag)}`]));
    writeFileSync(contextFile, `${JSON.stringify({ ...lock, ...pins }, null, 2)}\n`);
    for (const [key, ref] of Object.entries(pins)) process.stdout.write(`${key.slice('cronium:imageBase:'.length)}: ${ref}\n`);
    process.stdout.write(`wrote ${CONTEXT_FILE}: commit it, so every deploy builds FROM these bases\n`);
  }
} catch (err) {
  process.stderr.write(`pin-bases: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
