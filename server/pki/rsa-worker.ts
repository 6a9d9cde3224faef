import { Worker } from 'node:worker_threads';
import type { RawRsaDecrypt } from './rsa-key-transport.js';

// The raw RSA private operation of the envelope (about 0.3 ms for RSA-2048, 0.9 ms for RSA-3072) is the one
// expensive step of a PKIOperation that Node offers no asynchronous API for: crypto.sign has a thread-pool
// variant, privateDecrypt does not. A dedicated worker thread keeps the event loop serving other devices
// meanwhile. Only the raw block crosses threads; the padding check with implicit rejection stays on the
// caller's side, so every outcome still takes the same path (stack.md Addendum).
//
// The worker is plain CommonJS evaluated from a string, so it runs unchanged from TypeScript sources under
// vitest, from dist/ under Node 20, and inside Electron's Node 24, without a separate entry file to ship.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { constants, createPrivateKey, privateDecrypt } = require('node:crypto');
const key = createPrivateKey(workerData.keyPem);
parentPort.on('message', ({ id, block }) => {
  let out = null;
  try {
    out = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.from(block));
  } catch {
    out = null;
  }
  parentPort.postMessage({ id, out });
});
`;

/** Raw RSA private-key operations on a worker thread, falling back to the calling thread if it fails. */
export interface RsaWorker {
  /** c^d mod n of a k-byte block (RSA_NO_PADDING), or null when OpenSSL refuses the block. */
  rawDecrypt: RawRsaDecrypt;
  /** Stops the thread; later calls run on the calling thread. */
  close(): Promise<void>;
}

interface Pending {
  block: Buffer;
  resolve(out: Buffer | null): void;
}

/** Starts a worker holding `keyPem`; `inThread` serves requests if the worker cannot (start failure, crash, close). */
export function startRsaWorker(keyPem: string, inThread: RawRsaDecrypt): RsaWorker {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let worker: Worker | null = null;

  // A dead worker must not strand requests: whatever is in flight is answered on this thread instead.
  const retire = () => {
    worker = null;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) void Promise.resolve(inThread(p.block)).then(p.resolve);
  };

  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { keyPem } });
    // Never keeps the process alive; an app that exits does not have to remember to close it.
    worker.unref();
    worker.on('message', ({ id, out }: { id: number; out: Uint8Array | null }) => {
      const p = pending.get(id);
      pending.delete(id);
      p?.resolve(out ? Buffer.from(out.buffer, out.byteOffset, out.byteLength) : null);
    });
    worker.on('error', retire);
    worker.on('exit', retire);
  } catch {
    worker = null;
  }

  return {
    rawDecrypt(block) {
      if (!worker) return inThread(block);
      const id = nextId++;
      const w = worker;
      return new Promise<Buffer | null>((resolve) => {
        pending.set(id, { block, resolve });
        // A Buffer is often a view into a larger pooled ArrayBuffer, which structured clone would copy whole;
        // an exact-size copy is transferred instead.
        const copy = new Uint8Array(block.byteLength);
        copy.set(block);
        w.postMessage({ id, block: copy }, [copy.buffer]);
      });
    },
    async close() {
      const w = worker;
      if (w) await w.terminate();
      retire();
    },
  };
}
