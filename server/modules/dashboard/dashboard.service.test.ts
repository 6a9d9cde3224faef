import { describe, expect, it } from 'vitest';
import { expiryOf } from './dashboard.service.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const at = (days: number, ms = 0) => new Date(NOW.getTime() + days * 86_400_000 + ms).toISOString();

describe('expiryOf', () => {
  it.each([
    ['a year ahead', at(365), 365, 'ok'],
    ['exactly 30 days ahead', at(30), 30, 'ok'],
    ['a second under 30 days', at(30, -1000), 29, 'expiring'],
    ['tomorrow', at(1), 1, 'expiring'],
    ['in an hour', at(0, 3_600_000), 0, 'expiring'],
    ['this very moment', at(0), 0, 'expired'],
    ['a second ago', at(0, -1000), -1, 'expired'],
    ['a year ago', at(-365), -365, 'expired'],
  ] as const)('%s: %i days left, %s', (_name, notAfter, daysLeft, state) => {
    expect(expiryOf('push', 'topic', notAfter, NOW)).toEqual({
      certificate: 'push',
      name: 'topic',
      notAfter,
      daysLeft,
      state,
    });
  });

  it('reads the OpenSSL-style validTo of node:crypto', () => {
    expect(expiryOf('ca', 'CA', 'Jun  1 12:00:00 2027 GMT', NOW)).toMatchObject({
      notAfter: '2027-06-01T12:00:00.000Z',
      daysLeft: 365,
      state: 'ok',
    });
  });
});
