/**
 * The walls between slipway's parts (ARCHITECTURE.md). `npm run lint` runs this, and so does CI; a break fails
 * it. Type-only imports count: a type from an adapter is a dependency on it.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle makes two parts one: split what both need into the lower one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment: 'src/core imports only src/core (and libraries): it knows no adapter, no request path, no worker.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src|commands)/', pathNot: '^src/core/' },
    },
    {
      name: 'core-does-no-io',
      comment: 'src/core does no I/O: files, processes, sockets and HTTP belong to adapters (their types may be named).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'], path: '^(node:)?(fs|fs/promises|child_process|net|tls|http|https|http2|dgram|dns|os|readline|worker_threads|cluster)$' },
    },
    {
      name: 'lib-is-generic',
      comment: 'src/lib holds helpers that know nothing of slipway: they import no other part.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^(src|commands)/', pathNot: '^src/lib/' },
    },
    {
      name: 'requests-use-ports',
      comment: 'The request path (intake), the commands and the queue reach outside systems through the ports in src/core/ports.ts only.',
      severity: 'error',
      from: { path: '^(src/intake|src/queue|commands)/' },
      to: { path: '^src/(adapters|compose)/' },
    },
    {
      name: 'only-the-root-composes',
      comment: 'Nothing below the composition root (src/*.ts, src/compose) imports it.',
      severity: 'error',
      from: { path: '^(src/(core|intake|queue|adapters|lib)|commands)/' },
      to: { path: '^src/([^/]+\\.ts|compose/)' },
    },
    {
      name: 'commands-do-not-import-intake',
      comment: 'intake hands requests to commands; commands never reach back into intake.',
      severity: 'error',
      from: { path: '^commands/' },
      to: { path: '^src/intake/' },
    },
    {
      name: 'queue-does-not-import-intake-or-commands',
      comment: 'Workers carry runs on; they answer no request and run no command.',
      severity: 'error',
      from: { path: '^src/queue/' },
      to: { path: '^(src/intake|commands)/' },
    },
    {
      name: 'adapters-implement-ports',
      comment: 'An adapter implements ports of src/core for one outside system; it imports no other adapter and no part above it.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^(src/|commands/)', pathNot: ['^src/adapters/$1/', '^src/core/', '^src/lib/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^(dist|dist-bench|node_modules)/' },
  },
};
