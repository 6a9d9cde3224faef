'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a --require preload is CommonJS: it must also run in worker
   threads (the SCEP RSA worker), where an --import preload does not. */
// Bench only: `node --require tests/bench/crypto-counters.cjs` counts the expensive cryptographic operations a
// process makes, without a line of the server knowing it (the normal paths pay nothing). enroll-bench.ts loads it
// into the server and turns the counts into the floor that cryptography sets on the CPU per enrolled device.
//
// Counted: RSA private-key operations of node:crypto (sign, privateEncrypt, privateDecrypt, Sign#sign), RSA public
// operations (verify, publicEncrypt, publicDecrypt, X509Certificate#verify), argon2 hash and verify
// (@node-rs/argon2), and TLS handshakes (server side by the server certificate's key, full or resumed; client side,
// e.g. APNs). Keys are labelled by type and size. Worker threads (the SCEP RSA worker) send their counts to the main
// thread. On SIGUSR2 the main thread writes {seq, counts} to $TSUNAGU_BENCH_COUNTERS_FILE.
const crypto = require('node:crypto');
const tls = require('node:tls');
const { renameSync, writeFileSync } = require('node:fs');
const { syncBuiltinESMExports } = require('node:module');
const { isMainThread, BroadcastChannel } = require('node:worker_threads');

const counts = Object.create(null);
const channel = new BroadcastChannel('tsunagu-bench-crypto-counters');
channel.unref();
function bump(name) {
  if (isMainThread) counts[name] = (counts[name] || 0) + 1;
  else channel.postMessage(name);
}
if (isMainThread) {
  channel.onmessage = (event) => {
    counts[event.data] = (counts[event.data] || 0) + 1;
  };
  let seq = 0;
  process.on('SIGUSR2', () => {
    const file = process.env.TSUNAGU_BENCH_COUNTERS_FILE;
    if (!file) return;
    // Whole or not at all: the reader never sees half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq: ++seq, counts }));
    renameSync(`${file}.tmp`, file);
  });
}

// A key's label ("rsa2048"), found once per KeyObject and once per distinct PEM string or buffer.
const objectLabels = new WeakMap();
const textLabels = new Map();
function keyLabel(key, isPrivate) {
  try {
    let k = key;
    if (k && typeof k === 'object' && !(k instanceof crypto.KeyObject) && !Buffer.isBuffer(k) && 'key' in k) k = k.key;
    if (k instanceof crypto.KeyObject) {
      let label = objectLabels.get(k);
      if (!label) {
        const bits = k.asymmetricKeyDetails && k.asymmetricKeyDetails.modulusLength;
        label = `${k.asymmetricKeyType}${bits || ''}`;
        objectLabels.set(k, label);
      }
      return label;
    }
    const id = Buffer.isBuffer(k) ? k.toString('latin1') : String(k);
    let label = textLabels.get(id);
    if (!label) {
      label = keyLabel(isPrivate ? crypto.createPrivateKey(k) : crypto.createPublicKey(k), isPrivate);
      if (textLabels.size < 1000) textLabels.set(id, label);
    }
    return label;
  } catch {
    return 'unknown';
  }
}

function wrap(target, name, label) {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function counted(...args) {
    bump(label.call(this, args));
    return original.apply(this, args);
  };
}

wrap(crypto, 'sign', (a) => `rsa-private sign ${keyLabel(a[2], true)}`);
wrap(crypto, 'privateEncrypt', (a) => `rsa-private sign ${keyLabel(a[0], true)}`);
wrap(crypto, 'privateDecrypt', (a) => `rsa-private decrypt ${keyLabel(a[0], true)}`);
wrap(crypto, 'verify', (a) => `rsa-public verify ${keyLabel(a[2], false)}`);
wrap(crypto, 'publicEncrypt', (a) => `rsa-public encrypt ${keyLabel(a[0], false)}`);
wrap(crypto, 'publicDecrypt', (a) => `rsa-public verify ${keyLabel(a[0], false)}`);
wrap(Object.getPrototypeOf(crypto.createSign('sha256')), 'sign', (a) => `rsa-private sign ${keyLabel(a[0], true)}`);
wrap(crypto.X509Certificate.prototype, 'verify', (a) => `rsa-public verify ${keyLabel(a[0], false)}`);
syncBuiltinESMExports();

try {
  const argon2 = require('@node-rs/argon2');
  for (const name of ['hash', 'hashSync', 'hashRaw', 'hashRawSync']) wrap(argon2, name, () => 'argon2 hash');
  for (const name of ['verify', 'verifySync']) wrap(argon2, name, () => 'argon2 verify');
} catch {
  // Not installed where this runs: nothing to count.
}

// Server handshakes: the certificate's key signs once per full handshake; a resumed session signs nothing. The key
// is looked at once per server (all of a listener's certificates have keys of one size).
const tlsLabels = new WeakMap();
const emit = tls.Server.prototype.emit;
tls.Server.prototype.emit = function countedEmit(event, socket, ...rest) {
  if (event === 'secureConnection' && socket && typeof socket.isSessionReused === 'function') {
    if (socket.isSessionReused()) bump('tls server resumed');
    else {
      let label = tlsLabels.get(this);
      if (!label) {
        const cert = socket.getCertificate();
        label = `tls server full-handshake ${cert && cert.bits ? `rsa${cert.bits}` : 'non-rsa'}`;
        tlsLabels.set(this, label);
      }
      bump(label);
    }
  }
  return emit.call(this, event, socket, ...rest);
};
const connect = tls.connect;
tls.connect = function countedConnect(...args) {
  const socket = connect.apply(this, args);
  socket.once('secureConnect', () => bump(`tls client ${socket.isSessionReused() ? 'resumed' : 'full-handshake'}`));
  return socket;
};
syncBuiltinESMExports();
