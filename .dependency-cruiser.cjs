/**
 * The layer rules of docs/architecture.md ("Layers"), checked on every test run (`npm run check`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'lambdas/core imports nothing outside core (node built-ins only).',
      severity: 'error',
      from: { path: '^lambdas/core/' },
      to: { pathNot: ['^lambdas/core/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'adapters-use-core-surface',
      comment: 'Adapters import core only through its public surface, lambdas/core/index.ts.',
      severity: 'error',
      from: { path: '^lambdas/adapters/' },
      to: { path: '^lambdas/core/', pathNot: '^lambdas/core/index\\.ts$' },
    },
    {
      name: 'adapters-stay-apart',
      comment: 'An adapter never imports another adapter, a handler or the local runtime.',
      severity: 'error',
      from: { path: '^lambdas/adapters/([^/]+)/' },
      to: { path: '^lambdas/(adapters/|handlers/|local/)', pathNot: '^lambdas/adapters/$1/' },
    },
    {
      name: 'handlers-not-local',
      comment: 'Handlers run on AWS too: they never import the one-machine runtime.',
      severity: 'error',
      from: { path: '^lambdas/handlers/' },
      to: { path: '^lambdas/local/' },
    },
    {
      name: 'lib-uses-adapter-surfaces',
      comment: "The CDK app takes what it needs from an adapter's index.ts, never its internals.",
      severity: 'error',
      from: { path: '^(lib|bin/app\\.ts)' },
      to: { path: '^lambdas/adapters/[^/]+/', pathNot: '^lambdas/adapters/[^/]+/index\\.ts$' },
    },
    {
      name: 'cli-talks-to-apis',
      comment: 'The CLI and the smoke check talk to the REST and WebSocket APIs only (the CLI may start the local runtime).',
      severity: 'error',
      from: { path: '^bin/(cli/|smoke/|cronium\\.ts|smoke\\.ts)' },
      to: { path: '^(lambdas/(core|adapters|handlers)/|lib/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tools|cdk\\.out|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
