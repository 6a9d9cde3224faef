import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { helperSchemaDocument } from './helper-schema-document.js';

const FILE = new URL('../../../docs/helper-api.schema.json', import.meta.url);

function validator(name: string) {
  const ajv = new Ajv2020({ strict: true, discriminator: true });
  ajv.addFormat('date-time', true);
  return ajv
    .addSchema(JSON.parse(readFileSync(FILE, 'utf8')) as object)
    .compile({ $ref: `https://tsunagu.app/schemas/helper-api/v1.json#/$defs/${name}` });
}

describe('the published helper API schema', () => {
  it('matches the schemas the server validates with (UPDATE_HELPER_SCHEMA=1 rewrites it)', () => {
    const expected = `${JSON.stringify(helperSchemaDocument(), null, 2)}\n`;
    if (process.env.UPDATE_HELPER_SCHEMA === '1') writeFileSync(FILE, expected);
    expect(readFileSync(FILE, 'utf8')).toBe(expected);
  });

  it('compiles with a strict draft 2020-12 validator', () => {
    expect(() => validator('HelperSignInRequest')).not.toThrow();
  });

  const signIns: [string, unknown, boolean][] = [
    ['password', { method: 'password', email: 'a@example.com', password: 'x' }, true],
    ['pin with a new password', { method: 'pin', email: 'a@example.com', pin: '123456', newPassword: 'p' }, true],
    ['the link token', { method: 'token', token: 'abc' }, true],
    ['a PIN with letters', { method: 'pin', email: 'a@example.com', pin: '12ab56', newPassword: 'p' }, false],
    ['a PIN without a new password', { method: 'pin', email: 'a@example.com', pin: '123456' }, false],
    ['a token too long', { method: 'token', token: 'x'.repeat(101) }, false],
    ['an unknown method', { method: 'qr', token: 'abc' }, false],
    ['an extra field', { method: 'token', token: 'abc', admin: true }, false],
    ['no method', { token: 'abc' }, false],
  ];
  it.each(signIns)('sign-in body: %s', (_name, body, valid) => {
    expect(validator('HelperSignInRequest')(body)).toBe(valid);
  });
});
