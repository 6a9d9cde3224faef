// The server's entry in the packaged desktop app, where there is no system `node`: Electron runs this module in a
// utility process (utilityProcess.fork) and talks to it over `process.parentPort` (hosted.ts). Settings come from the
// environment the app passes, as headless; the data key comes only in the `start` message.
import { join } from 'node:path';
import { loadConfig } from './config.js';
import { parentPortChannel, processSignals, runHostedServer, type ParentPortLike } from './hosted.js';
import { startServer } from './start.js';
import { PROJECT_ROOT } from './version.js';

const port = (process as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
if (!port) {
  process.stderr.write('utility-entry runs only in an Electron utility process; use `tsunagu serve` instead.\n');
  process.exit(2);
}
const channel = parentPortChannel(port);
let code: number;
try {
  const config = loadConfig(process.env);
  code = await runHostedServer(channel, {
    start: (dataKey) =>
      startServer(config, {
        consoleDir: join(PROJECT_ROOT, 'dist', 'renderer'),
        ...(dataKey ? { dataKey } : {}),
      }),
    now: () => new Date(),
    onSignal: processSignals,
  });
} catch (err) {
  // A bad setting: the app shows this instead of waiting for a ready that never comes.
  channel.send({ event: 'start-failed', message: (err as Error).message });
  code = 1;
}
process.exit(code);
