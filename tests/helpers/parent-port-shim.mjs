// Loaded with `node --import` into a forked child: gives it the `process.parentPort` of an Electron utility process
// over Node's IPC channel. Like Electron's, the port holds messages until the first 'message' listener is added (the
// entry module loads for a while after the app has sent `start`), and message events carry `data`. Tests only.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
let held = [];
process.on('message', (data) => {
  if (held) held.push(data);
  else port.emit('message', { data, ports: [] });
});
port.on('newListener', (event) => {
  if (event !== 'message' || !held) return;
  const waiting = held;
  held = null;
  setImmediate(() => {
    for (const data of waiting) port.emit('message', { data, ports: [] });
  });
});
port.postMessage = (message) => process.send?.(message);
process.parentPort = port;
