// `npm start`: launches the desktop app when Electron can run here; otherwise runs the same server headless
// and says why. (Electron 45 downloads its binary on first launch; machines without internet or without a
// display cannot run it.)
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Why Electron cannot run here, or null when it can. */
function electronProblem() {
  if (process.env.TSUNAGU_HEADLESS === '1') return 'TSUNAGU_HEADLESS=1 is set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'there is no display (DISPLAY is not set)';
  let pkg;
  try {
    pkg = dirname(require.resolve('electron/package.json'));
  } catch {
    return 'the electron package is not installed';
  }
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()))) {
    return 'the Electron binary has not been downloaded (run `npx install-electron` on a machine with internet)';
  }
  return null;
}

function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const problem = electronProblem();
if (problem === null) {
  const pkg = dirname(require.resolve('electron/package.json'));
  run(join(pkg, 'dist', readFileSync(join(pkg, 'path.txt'), 'utf8').trim()), ['.']);
} else {
  console.log(`Electron cannot start here: ${problem}. Running the Tsunagu server headless instead.`);
  run(process.execPath, [new URL('../bin/tsunagu.mjs', import.meta.url).pathname, 'serve']);
}
