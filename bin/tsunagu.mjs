#!/usr/bin/env node
// The `tsunagu` command: runs the compiled CLI from dist/ (build it with `npm run build`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('Tsunagu is not built yet: run `npm run build` (or `npm start`, which builds first).');
  process.exit(2);
}
const { runCli } = await import(cli.href);
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stdin: process.stdin,
  env: process.env,
});
process.exitCode = code;
