import { readFileSync } from 'node:fs';

/** Cronium's version from package.json (reported by `/health`), or `unknown` when it cannot be read. */
export const croniumVersion = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
};
