import { ValidationError } from '../../core';

/** A name the entrypoint's POSIX shell can export. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `'…'` with each `'` written as `'\''`: the shell takes every other byte literally. */
const singleQuoted = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The job's environment as a file the image entrypoint sources (`. file`) in the script's own
 * subshell: one `export NAME='value'` line per variable, values single-quoted so nothing in them
 * is expanded or run. Later entries win, as in the shell.
 * @throws ValidationError naming the variable (never its value) when a name is not a shell name
 * or a value holds a NUL byte, which no process environment can carry.
 */
export const buildEnvFile = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([name, value]) => {
      if (!SHELL_NAME.test(name)) {
        throw new ValidationError(
          `env.${name}`,
          'on ECS an environment variable name is letters, digits and "_", not starting with a digit',
        );
      }
      if (value.includes('\0')) throw new ValidationError(`env.${name}`, 'a value cannot hold a NUL byte');
      return `export ${name}=${singleQuoted(value)}\n`;
    })
    .join('');
