// Import rules that ESLint's per-file checks cannot see: the folders of server/modules/ form no cycle (a
// module that reaches another must not be reached back by it, directly or through others, type-only
// imports included), and the shared folders (pki, core, db, http, i18n, contract) import no module.
// `npm run lint` runs it.
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
        'server/pki/, server/core/, server/db/, server/http/, server/i18n/ and server/contract/ are shared by the modules: they import none of them (a module reached through them would reach itself). Declare a port instead.',
      from: { path: '^server/(pki|core|db|http|contract|i18n)/' },
      to: { path: '^server/modules/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests drive modules from outside; they are not part of the graph.
    exclude: { path: ['(^|/)(node_modules|dist)/', '\\.test\\.ts$', '^tests/'] },
    tsPreCompilationDeps: true,
    // Resolve .js specifiers to .ts sources as the compiler does; found from here, so the rules run on other trees too.
    tsConfig: { fileName: `${__dirname}/tsconfig.node.json` },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
