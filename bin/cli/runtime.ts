import { extname } from 'node:path';
import { UsageError } from './errors';
import { Runtimes, type Runtime } from './types';

const byExtension: Readonly<Record<string, Runtime>> = {
  '.sh': 'bash',
  '.bash': 'bash',
  '.py': 'python',
  '.js': 'node',
  '.mjs': 'node',
  '.cjs': 'node',
};

/**
 * The runtime to run `file` with: `explicit` when given, else the one its
 * extension implies (.sh bash, .py python, .js/.mjs/.cjs node).
 *
 * @throws UsageError when `explicit` is not a runtime, or there is none and the extension says nothing.
 */
export const inferRuntime = (file: string, explicit?: string): Runtime => {
  if (explicit !== undefined) {
    if (!(Runtimes as readonly string[]).includes(explicit)) {
      throw new UsageError(`unknown runtime ${JSON.stringify(explicit)}: use one of ${Runtimes.join(', ')}`);
    }
    return explicit as Runtime;
  }
  const runtime = byExtension[extname(file).toLowerCase()];
  if (runtime === undefined) {
    throw new UsageError(
      `cannot infer the runtime of ${file} from its extension (.sh, .py, .js, .mjs, .cjs); pass --runtime ${Runtimes.join('|')}`,
    );
  }
  return runtime;
};
