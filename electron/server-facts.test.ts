import { describe, expect, it } from 'vitest';
import { lineSplitter, parseReadyLine, parseServerMessage } from './server-facts.js';

const READY = {
  event: 'ready',
  adminUrl: 'http://127.0.0.1:8440/',
  entryUrl: 'http://mdm.office.lan:8080/go',
  enrollmentUrl: 'https://mdm.office.lan:8443/',
  bootstrapUrl: 'http://mdm.office.lan:8080/trust',
  setupToken: 'abcDEF123_-abcDEF123_-ab',
};

describe('parseReadyLine', () => {
  it('reads the ready line, with or without a setup token', () => {
    expect(parseReadyLine(`${JSON.stringify(READY)}\r`)).toEqual(READY);
    expect(parseReadyLine(JSON.stringify({ ...READY, setupToken: null }))).toEqual({ ...READY, setupToken: null });
  });

  it('passes over other lines: the human banner, a log line, JSON of another event, a half line', () => {
    expect(parseReadyLine('Admin console: http://127.0.0.1:8440/')).toBeNull();
    expect(parseReadyLine('{"level":30,"msg":"listening"}')).toBeNull();
    expect(parseReadyLine('{"event":"stopping"}')).toBeNull();
    expect(parseReadyLine(JSON.stringify(READY).slice(0, 40))).toBeNull();
  });

  it.each([
    ['adminUrl', { adminUrl: 'javascript:alert(1)' }],
    ['entryUrl', { entryUrl: undefined }],
    ['enrollmentUrl', { enrollmentUrl: 42 }],
    ['bootstrapUrl', { bootstrapUrl: 'file:///etc/passwd' }],
    ['setup token', { setupToken: 7 }],
    ['setup token', { setupToken: '' }],
  ])('refuses a ready line whose %s is wrong', (field, change) => {
    expect(() => parseReadyLine(JSON.stringify({ ...READY, ...change }))).toThrow(field);
  });
});

describe('lineSplitter', () => {
  it('hands on whole lines only, across chunk boundaries', () => {
    const lines: string[] = [];
    const feed = lineSplitter((line) => lines.push(line));
    feed('{"event":"re');
    expect(lines).toEqual([]);
    feed('ady"}\nsecond');
    feed(' line\n');
    expect(lines).toEqual(['{"event":"ready"}', 'second line']);
  });
});

describe('parseServerMessage', () => {
  it.each([
    [{ event: 'status', devicesEnrolledToday: 3, entryUrl: 'http://mdm.office.lan:8080/go' }, 'status'],
    [{ event: 'start-failed', message: 'port 8440 is in use' }, 'start-failed'],
    [{ event: 'stopping' }, 'stopping'],
    [READY, 'ready'],
  ])('reads %j', (message, event) => {
    expect(parseServerMessage(message)?.event).toBe(event);
  });

  it.each([
    [{ event: 'status', devicesEnrolledToday: -1, entryUrl: 'http://mdm.office.lan:8080/go' }],
    [{ event: 'status', devicesEnrolledToday: 1.5, entryUrl: 'http://mdm.office.lan:8080/go' }],
    [{ event: 'status', devicesEnrolledToday: 1, entryUrl: 'file:///go' }],
    [{ level: 30, msg: 'a log line' }],
    ['ready'],
    [null],
  ])('passes over %j', (message) => {
    expect(parseServerMessage(message)).toBeNull();
  });
});
