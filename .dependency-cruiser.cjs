// Import rules that ESLint's per-file checks cannot see: the folders of server/modules/ form no cycle (a
// module that reaches another must not be reached back by it, directly or through others, type-only
// imports included), and the libraries (PKI, core, db, i18n) import no module. `npm run lint` runs it.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-module-cycle',
      severity: 'error',
      comment:
        'A module of server/modules/ reaches another module that reaches back. Put the shared type in server/contract/, or declare a port in the module that needs it and wire it in server/compose.ts.',
      scope: 'folder',
      from: { path: '^server/modules/[^/]+' },
      to: { path: '^server/modules/[^/]+', circular: true },
    },
    {
      name: 'libraries-import-no-module',
      severity: 'error',
      comment:
        'server/pki/, server/core/, server/db/ and server/i18n/ are libraries: they import no module of server/modules/.',
      from: { path: '^server/(pki|core|db|i18n)/' },
      to: { path: '^server/modules/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests drive modules from outside; they are not part of the graph.
    exclude: { path: ['(^|/)(node_modules|dist)/', '\\.test\\.ts$', '^tests/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
