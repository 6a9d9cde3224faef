import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { AGENT_REMINDER, deviceErrorText, TEXT } from './index.js';
import { ja } from './ja.js';

/** Every leaf of a text tree as `dotted.key -> value` (array items by index). */
function leaves(tree: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof tree !== 'object' || tree === null) {
    out.set(prefix, tree);
    return out;
  }
  for (const [key, value] of Object.entries(tree)) {
    for (const [k, v] of leaves(value, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}

const jaLeaves = leaves(ja);
const enLeaves = leaves(en);

// Arguments that make every function text produce its sentence.
const SAMPLE_ARGS = ['Sample', 'Sample'];
const SAMPLE_DETAILS = [
  {},
  { secret: 'pin' },
  { reason: 'revoked' },
  { reason: 'enrolled' },
  { reason: 'user' },
  { reason: 'android' },
  { rule: 'too_short', min: 10 },
  { rule: 'is_email' },
  { limit: 3, retryAfterSeconds: 120 },
];

describe('server-side texts in ja and en', () => {
  it('have exactly the same keys (steps and choices included)', () => {
    const onlyInJa = [...jaLeaves.keys()].filter((k) => !enLeaves.has(k));
    const onlyInEn = [...enLeaves.keys()].filter((k) => !jaLeaves.has(k));
    expect({ onlyInJa, onlyInEn }).toEqual({ onlyInJa: [], onlyInEn: [] });
  });

  it.each([
    ['ja', jaLeaves],
    ['en', enLeaves],
  ] as const)('%s has no empty strings, and only strings and functions', (_lang, tree) => {
    const bad = [...tree]
      .filter(([, v]) => !(typeof v === 'function' || (typeof v === 'string' && v.trim() !== '')))
      .map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('has the same kind of value for each key in both languages (function parameters included)', () => {
    const mismatched = [...jaLeaves.keys()].filter((key) => {
      const a = jaLeaves.get(key);
      const b = enLeaves.get(key);
      return typeof a !== typeof b || (typeof a === 'function' && a.length !== (b as () => unknown).length);
    });
    expect(mismatched).toEqual([]);
  });

  it.each([
    ['ja', jaLeaves],
    ['en', enLeaves],
  ] as const)('%s: every function text writes a sentence with its arguments', (_lang, tree) => {
    for (const [key, fn] of tree) {
      if (typeof fn !== 'function') continue;
      if (key.startsWith('errors.')) {
        const outs = SAMPLE_DETAILS.map((d) => (fn as (d: object) => string | null)(d));
        for (const out of outs) expect(out === null || (typeof out === 'string' && out.trim() !== ''), key).toBe(true);
      } else {
        const out = (fn as (...args: unknown[]) => unknown)(...SAMPLE_ARGS.slice(0, fn.length));
        expect(typeof out, key).toBe('string');
        if (fn.length > 0) expect(out, key).toContain('Sample');
      }
    }
  });

  it('are the texts the index hands out', () => {
    expect(TEXT.ja).toBe(ja);
    expect(TEXT.en).toBe(en);
    expect(AGENT_REMINDER.ja).toBe(ja.agentReminder);
    expect(AGENT_REMINDER.en).toBe(en.agentReminder);
  });
});

describe('deviceErrorText', () => {
  const pinWrong = {
    code: 'SIGN_IN_FAILED' as const,
    message: 'The email address or PIN is wrong.',
    details: { secret: 'pin' },
  };

  it('translates a known refusal into Japanese and keeps the server’s words as the original', () => {
    expect(deviceErrorText('ja', pinWrong)).toEqual({
      text: 'メールアドレスまたは PIN が正しくありません。',
      original: 'The email address or PIN is wrong.',
    });
  });

  it('words it in English without a second copy', () => {
    expect(deviceErrorText('en', pinWrong)).toEqual({ text: 'The email address or PIN is wrong.', original: null });
  });

  it('keeps the server’s words where there is no translation, and a page’s own sentence as it is', () => {
    const other = { code: 'VALIDATION_FAILED' as const, message: 'email is too long.', details: { field: 'email' } };
    expect(deviceErrorText('ja', other)).toEqual({ text: 'email is too long.', original: null });
    expect(deviceErrorText('en', { code: 'INTERNAL', message: 'Something went wrong.' })).toEqual({
      text: 'Something went wrong.',
      original: null,
    });
    expect(deviceErrorText('ja', '自前の文')).toEqual({ text: '自前の文', original: null });
  });
});
