// `npm run agent -- ...`: the reference Android agent CLI (compiled into dist/ by the build).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/tests/helpers/android-agent-cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('Build first: npm run build');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
