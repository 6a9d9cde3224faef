// Reads back what a QR code says, for tests that must follow a link only shown as a QR code (as a phone's camera
// would). Takes the code's modules as they are on screen (dark = 1) and handles what the server draws: a clean
// symbol (no error correction needed) of error correction level M, versions 1 to 13, in numeric, alphanumeric and
// byte segments. The mask is found by trying each until the text reads as `expectPrefix`.
import QRCode from 'qrcode';

// Error correction level M, versions 1-13: [all codewords, error correction codewords, blocks].
const LEVEL_M: [number, number, number][] = [
  [26, 10, 1],
  [44, 16, 1],
  [70, 26, 1],
  [100, 36, 2],
  [134, 48, 2],
  [172, 64, 4],
  [196, 72, 4],
  [242, 88, 4],
  [292, 110, 5],
  [346, 130, 5],
  [404, 150, 5],
  [466, 176, 8],
  [532, 198, 9],
];

const MASKS: ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** The data codewords of `modules` under mask `mask`, de-interleaved. */
function dataCodewords(modules: number[][], reserved: Uint8Array, version: number, mask: number): number[] {
  const n = modules.length;
  const bits: number[] = [];
  let upward = true;
  for (let right = n - 1; right > 0; right -= 2) {
    if (right === 6) right = 5;
    for (let k = 0; k < n; k++) {
      const row = upward ? n - 1 - k : k;
      for (const col of [right, right - 1]) {
        if (reserved[row * n + col]) continue;
        bits.push((modules[row]?.[col] ?? 0) ^ (MASKS[mask]?.(row, col) ? 1 : 0));
      }
    }
    upward = !upward;
  }
  const [total, ec, blocks] = LEVEL_M[version - 1] as [number, number, number];
  const bytes: number[] = [];
  for (let b = 0; b + 8 <= bits.length && bytes.length < total; b += 8)
    bytes.push(bits.slice(b, b + 8).reduce((v, bit) => (v << 1) | bit, 0));
  const data = total - ec;
  const shortLen = Math.floor(data / blocks);
  const longBlocks = data % blocks;
  const lengths = Array.from({ length: blocks }, (_, i) => shortLen + (i >= blocks - longBlocks ? 1 : 0));
  const out: number[][] = lengths.map(() => []);
  let p = 0;
  for (let i = 0; i <= shortLen; i++)
    for (let b = 0; b < blocks; b++) if (i < (lengths[b] ?? 0)) out[b]?.push(bytes[p++] ?? 0);
  return out.flat();
}

/** The text of the segments in `codewords`, or null when they do not parse. */
function segments(codewords: number[], version: number): string | null {
  const bits = codewords.flatMap((c) => Array.from({ length: 8 }, (_, i) => (c >> (7 - i)) & 1));
  let p = 0;
  const read = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | (bits[p++] ?? 0);
    return v;
  };
  const big = version >= 10;
  let text = '';
  while (p + 4 <= bits.length) {
    const mode = read(4);
    if (mode === 0) return text;
    if (mode === 4) {
      const count = read(big ? 16 : 8);
      const bytes = Array.from({ length: count }, () => read(8));
      text += Buffer.from(bytes).toString('utf8');
    } else if (mode === 2) {
      let count = read(big ? 11 : 9);
      for (; count >= 2; count -= 2) {
        const v = read(11);
        text += `${ALPHANUMERIC[Math.floor(v / 45)] ?? ''}${ALPHANUMERIC[v % 45] ?? ''}`;
      }
      if (count === 1) text += ALPHANUMERIC[read(6)] ?? '';
    } else if (mode === 1) {
      let count = read(big ? 12 : 10);
      for (; count >= 3; count -= 3) text += String(read(10)).padStart(3, '0');
      if (count === 2) text += String(read(7)).padStart(2, '0');
      else if (count === 1) text += String(read(4));
    } else return null;
    if (p > bits.length) return null;
  }
  return text;
}

/** The text of the QR code whose modules (rows of 1 = dark, without the quiet zone) are `modules`. */
export function decodeQr(modules: number[][], expectPrefix = 'http'): string {
  const version = (modules.length - 17) / 4;
  if (!Number.isInteger(version) || version < 1 || version > LEVEL_M.length)
    throw new Error(`a ${modules.length}-module QR code is not one this reader handles`);
  // The function patterns (finders, timing, alignment, format and version areas) of a symbol of this version.
  const reserved = QRCode.create('x', { version, errorCorrectionLevel: 'M' }).modules.reservedBit;
  for (let mask = 0; mask < 8; mask++) {
    const text = segments(dataCodewords(modules, reserved, version, mask), version);
    if (text?.startsWith(expectPrefix)) return text;
  }
  throw new Error(`the QR code does not read as text starting with ${expectPrefix}`);
}
