import { describe, expect, it } from 'vitest';
import { redactUrl } from './logger.js';

describe('redactUrl', () => {
  it.each([
    ['/profile/abcDEF123_-', '/profile/[token]'],
    ['/e/k3y/i/SeCrEt/go', '/e/k3y/i/[token]/go'],
    ['/e/k3y/go/t/qr-token', '/e/k3y/go/t/[token]'],
    ['/scep?operation=PKIOperation&message=MIIB%2Bxyz', '/scep?operation=PKIOperation&message=[message]'],
    ['/api/users?q=taro', '/api/users?q=taro'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
