import { describe, expect, it } from 'vitest';
import { genReqId } from './request-id.js';

describe('request ids', () => {
  it('are 16 hex digits and never repeat within a process', () => {
    const ids = Array.from({ length: 10_000 }, () => genReqId());
    for (const id of ids.slice(0, 5)) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
