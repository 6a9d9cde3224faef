import { constants, createPrivateKey, createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testKey } from '../../tests/helpers/scep-fixtures.js';
import {
  decryptKeyTransport,
  decryptKeyTransportAsync,
  rawDecryptInThread,
  rsaDecryptionKey,
} from './rsa-key-transport.js';
import { startRsaWorker } from './rsa-worker.js';

const keyPem = testKey('ca');
const key = rsaDecryptionKey(createPrivateKey(keyPem));
const pub = createPublicKey(keyPem);
const inThread = rawDecryptInThread(key);

describe('RSA worker thread', () => {
  it('computes the same raw blocks as the calling thread, concurrently, including refusals', async () => {
    const worker = startRsaWorker(keyPem, inThread);
    try {
      const blocks = Array.from({ length: 20 }, (_, i) =>
        publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(16, i)),
      );
      const results = await Promise.all(blocks.map((b) => worker.rawDecrypt(b)));
      results.forEach((r, i) => expect(r).toEqual(inThread(blocks[i] as Buffer)));
      expect(await worker.rawDecrypt(Buffer.alloc(key.modulusBytes, 0xff))).toBeNull();
    } finally {
      await worker.close();
    }
  });

  it('gives decryptKeyTransportAsync the same answers as the synchronous path, valid or not', async () => {
    const worker = startRsaWorker(keyPem, inThread);
    try {
      const good = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(16, 7));
      const bad = publicEncrypt({ key: pub, padding: constants.RSA_NO_PADDING }, Buffer.alloc(key.modulusBytes, 3));
      for (const c of [good, bad])
        expect(await decryptKeyTransportAsync(key, c, 16, worker.rawDecrypt)).toEqual(decryptKeyTransport(key, c, 16));
    } finally {
      await worker.close();
    }
  });

  it('falls back to the calling thread after close and answers requests that were in flight', async () => {
    const worker = startRsaWorker(keyPem, inThread);
    const block = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(16, 9));
    const inFlight = worker.rawDecrypt(block);
    await worker.close();
    expect(await inFlight).toEqual(inThread(block));
    expect(await worker.rawDecrypt(block)).toEqual(inThread(block));
  });
});
