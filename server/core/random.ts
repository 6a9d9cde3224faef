import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/** The source of randomness; injected so tests can make it deterministic. */
export interface Random {
  bytes(length: number): Buffer;
  uuid(): string;
  /** A uniformly distributed integer in [min, max). */
  int(min: number, max: number): number;
}

/** Cryptographically secure randomness from Node's crypto. */
export const secureRandom: Random = Object.freeze({
  bytes: (length: number) => randomBytes(length),
  uuid: () => randomUUID(),
  int: (min: number, max: number) => randomInt(min, max),
});

/** A reproducible pseudo-random source for tests (xorshift32, never for secrets in production). */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed = 0x2545f491) {
    this.state = seed >>> 0 || 1;
  }

  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }

  uuid(): string {
    const b = this.bytes(16);
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  int(min: number, max: number): number {
    return min + (this.next() % (max - min));
  }
}
