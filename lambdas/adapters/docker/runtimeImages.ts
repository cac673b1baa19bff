import type { Runtime } from '../../core/model';

/** Images the launcher runs when the caller does not override them. */
export const DefaultImages = {
  bash: 'cronium/bash:latest',
  python: 'cronium/python:latest',
  node: 'cronium/node:latest',
} as const satisfies Record<Runtime, string>;

/** Where the script lands inside `/workspace`, and the command that runs it. */
export const RuntimeCommands = {
  bash: { file: 'in/script.sh', cmd: ['bash', '/workspace/in/script.sh'] },
  python: { file: 'in/script.py', cmd: ['python3', '-u', '/workspace/in/script.py'] },
  node: { file: 'in/script.js', cmd: ['node', '/workspace/in/script.js'] },
} as const satisfies Record<Runtime, { file: string; cmd: readonly string[] }>;
