import { describe, expect, it } from 'vitest';
import { parseHelperAction } from './actions.js';

describe('parseHelperAction', () => {
  it.each([
    [{ type: 'accept-server' }],
    [{ type: 'quit' }],
    [{ type: 'start', server: 'mdm.office.lan' }],
    [{ type: 'sign-in', credentials: { method: 'password', email: 'a@b.c', password: 'x' } }],
    [{ type: 'sign-in', credentials: { method: 'pin', email: 'a@b.c', pin: '123456', newPassword: 'y' } }],
  ])('takes %j', (action) => {
    expect(parseHelperAction(action)).toEqual(action);
  });

  it.each([
    ['not an object', 'quit'],
    ['null', null],
    ['an unknown type', { type: 'run-command', command: 'rm' }],
    ['an extra key', { type: 'quit', also: 1 }],
    ['a server that is not text', { type: 'start', server: 42 }],
    ['a huge server', { type: 'start', server: 'x'.repeat(3000) }],
    [
      'the link token method (only links carry tokens)',
      { type: 'sign-in', credentials: { method: 'token', token: 't' } },
    ],
    [
      'credentials with an extra key',
      { type: 'sign-in', credentials: { method: 'password', email: 'a', password: 'b', admin: true } },
    ],
    [
      'a PIN too long',
      { type: 'sign-in', credentials: { method: 'pin', email: 'a', pin: '1'.repeat(13), newPassword: 'b' } },
    ],
    ['a type that is an object', { type: { toString: 'quit' } }],
  ])('refuses %s', (_name, value) => {
    expect(parseHelperAction(value)).toBeNull();
  });
});
