import { describe, expect, it } from 'vitest';
import { encode, int, octets, oid, parseDer, readString, seq, sortedSet, str, Tag } from './der.js';

describe('DER helpers', () => {
  it('sorts SET OF by encoding with the X.690 §11.6 zero padding rule', () => {
    const a = octets(Buffer.from([0x02]));
    const b = octets(Buffer.from([0x01, 0xff]));
    const c = int(5);
    const set = encode(sortedSet([a, b, c]));
    // 02 01 05 < 04 01 02 < 04 02 01 ff
    expect(set.toString('hex')).toBe('310a020105040102040201ff');
  });

  it('round-trips canonical DER and refuses BER and non-minimal encodings', () => {
    const der = encode(seq(oid('1.2.840.113549.1.7.1'), int(1), str(Tag.BMP, 'Ωx')));
    expect(encode(parseDer(der, 'x'))).toEqual(der);
    expect(() => parseDer(Buffer.from('3080020101 0000'.replace(/ /g, ''), 'hex'), 'x')).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED' }),
    );
    expect(() => parseDer(Buffer.from('308103020101', 'hex'), 'x')).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED' }),
    );
    expect(() => parseDer(Buffer.from('3004020200ff', 'hex'), 'x')).not.toThrow();
    expect(() => parseDer(Buffer.from('30040202007f', 'hex'), 'x')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('canonical') }),
    );
  });

  it('decodes the string types SCEP meets', () => {
    const read = (tag: number, text: string) => readString(parseDer(encode(str(tag, text)), 's'), 's').text;
    expect(read(Tag.UTF8, 'デバイス')).toBe('デバイス');
    expect(read(Tag.BMP, 'Ωmega')).toBe('Ωmega');
    expect(read(Tag.PRINTABLE, 'Dev 1')).toBe('Dev 1');
    expect(read(Tag.IA5, 'a@b')).toBe('a@b');
    expect(() => readString(parseDer(encode(int(1)), 'i'), 'i')).toThrow(
      expect.objectContaining({ code: 'PKI_MALFORMED' }),
    );
  });
});
