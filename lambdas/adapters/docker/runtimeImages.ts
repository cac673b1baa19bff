import type { ScriptRuntime } from '../../core';
import { WorkspaceLayout } from '../../core';
import { WorkspacePath } from './workspacePath';

/** Images the launcher runs when the caller does not override them. */
export const DefaultImages = {
  bash: 'cronium/bash:latest',
  python: 'cronium/python:latest',
  node: 'cronium/node:latest',
} as const satisfies Record<ScriptRuntime, string>;

/** The command that runs the script file of each runtime (`WorkspaceLayout.scriptFile`). */
export const RuntimeCommands = {
  bash: ['bash', `${WorkspacePath}/${WorkspaceLayout.scriptFile.bash}`],
  python: ['python3', '-u', `${WorkspacePath}/${WorkspaceLayout.scriptFile.python}`],
  node: ['node', `${WorkspacePath}/${WorkspaceLayout.scriptFile.node}`],
} as const satisfies Record<ScriptRuntime, readonly string[]>;

/**
 * Where the images install the runtime helpers (`cronium.sh`, `cronium.py`, `cronium.js`).
 * The images in `runtime-images/` (their Dockerfiles and `helpers/`) put them there: change
 * both together.
 */
export const HelperPaths = {
  /** Sourced by bash before a non-interactive script, through `BASH_ENV`. */
  bashEnv: '/opt/cronium/cronium.sh',
  /** Holds the `cronium` Python package; on `PYTHONPATH`. */
  pythonPath: '/opt/cronium/python',
  /**
   * The `cronium` Node package. Node finds it from `/workspace/in/script.js` by walking up to
   * `/node_modules` (for `require` and `import` alike), so no variable points at it.
   */
  nodeModule: '/node_modules/cronium',
} as const;

/**
 * Variables that make the helpers usable with no set-up in the script. Set for every runtime:
 * a python or node script that runs `bash` gets the bash helpers too, and bash ignores a
 * `BASH_ENV` file that is missing.
 */
export const HelperEnv = {
  BASH_ENV: HelperPaths.bashEnv,
  PYTHONPATH: HelperPaths.pythonPath,
} as const;
