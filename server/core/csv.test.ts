import { describe, expect, it } from 'vitest';
import { csvCell, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it.each([
    [
      'a,b\r\nc,d\r\n',
      [
        [1, ['a', 'b']],
        [2, ['c', 'd']],
      ],
    ],
    [
      '\uFEFFa,b\nc,d',
      [
        [1, ['a', 'b']],
        [2, ['c', 'd']],
      ],
    ],
    ['"a ""q""",b\n', [[1, ['a "q"', 'b']]]],
    [
      '"multi\nline",x\ny,z\n',
      [
        [1, ['multi\nline', 'x']],
        [3, ['y', 'z']],
      ],
    ],
    [
      'a,\n\n,b\n',
      [
        [1, ['a', '']],
        [3, ['', 'b']],
      ],
    ],
    ['"",x\n', [[1, ['', 'x']]]],
  ])('parses %j', (text, expected) => {
    expect(parseCsv(text).map((r) => [r.line, r.fields])).toEqual(expected);
  });

  it.each([
    ['"abc\n', /not closed/],
    ['ab"c,d\n', /quote may only start a field/],
    ['"a"b,c\n', /closing quote/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCsv(text)).toThrow(message);
  });
});

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['@x', "'@x"],
    [null, ''],
    [{ a: 1 }, '"{""a"":1}"'],
  ])('quotes %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});
