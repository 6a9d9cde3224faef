import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { PlistValue } from '../../server/core/plist.js';
import { fixturePath } from './fixtures.js';

/** One key of an Apple device-management YAML schema. */
interface SchemaKey {
  key: string;
  type: string;
  presence?: 'required' | 'optional';
  rangelist?: unknown[];
  /** Inclusive bounds of a number. */
  range?: { min?: number; max?: number };
  /** A regular expression a string must match. */
  format?: string;
  subkeys?: SchemaKey[];
  repetition?: { min?: number; max?: number };
}

/** The payload keys of one schema file, e.g. `profiles/com.apple.mdm.yaml`. */
export function schemaKeys(file: string): SchemaKey[] {
  return (parse(readFileSync(fixturePath('apple', 'schema', file), 'utf8')) as { payloadkeys: SchemaKey[] })
    .payloadkeys;
}

function typeOf(v: PlistValue): string {
  if (typeof v === 'string') return '<string>';
  if (typeof v === 'boolean') return '<boolean>';
  if (typeof v === 'number') return Number.isInteger(v) ? '<integer>' : '<real>';
  if (Buffer.isBuffer(v)) return '<data>';
  if (v instanceof Date) return '<date>';
  if (Array.isArray(v)) return '<array>';
  return '<dictionary>';
}

function checkValue(spec: SchemaKey, value: PlistValue, path: string, problems: string[]): void {
  const actual = typeOf(value);
  const ok = spec.type === '<any>' || actual === spec.type || (spec.type === '<real>' && actual === '<integer>');
  if (!ok) {
    problems.push(`${path}: expected ${spec.type}, found ${actual}`);
    return;
  }
  if (spec.rangelist && !spec.rangelist.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(spec.rangelist)}`);
  if (spec.range && typeof value === 'number') {
    const { min, max } = spec.range;
    if ((min !== undefined && value < min) || (max !== undefined && value > max))
      problems.push(`${path}: ${value} is outside ${min ?? '-inf'}..${max ?? 'inf'}`);
  }
  if (spec.format && typeof value === 'string' && !new RegExp(spec.format).test(value))
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${spec.format}`);
  if (Array.isArray(value) && spec.subkeys?.[0]) {
    const item = spec.subkeys[0];
    if (spec.repetition?.min !== undefined && value.length < spec.repetition.min)
      problems.push(`${path}: fewer than ${spec.repetition.min} items`);
    value.forEach((v, i) => {
      checkValue(item, v, `${path}[${i}]`, problems);
      if (Array.isArray(v) && item.subkeys?.[0]?.repetition) {
        const r = item.subkeys[0].repetition;
        if ((r.min !== undefined && v.length < r.min) || (r.max !== undefined && v.length > r.max))
          problems.push(`${path}[${i}]: needs ${r.min}-${r.max} items`);
      }
    });
  } else if (
    actual === '<dictionary>' &&
    spec.subkeys &&
    spec.subkeys.length > 0 &&
    !spec.subkeys.some((k) => k.key.startsWith('ANY'))
  ) {
    problems.push(...validateDict(spec.subkeys, value as Record<string, PlistValue>, `${path}.`));
  }
}

/** Checks a dictionary against schema keys: required keys present, known keys only, types and allowed values. */
export function validateDict(keys: SchemaKey[], dict: Record<string, PlistValue>, prefix = ''): string[] {
  const problems: string[] = [];
  for (const spec of keys) {
    if (spec.presence === 'required' && !(spec.key in dict))
      problems.push(`${prefix}${spec.key}: required but missing`);
  }
  for (const [k, v] of Object.entries(dict)) {
    const spec = keys.find((s) => s.key === k);
    if (!spec) {
      problems.push(`${prefix}${k}: not a key of this schema`);
      continue;
    }
    checkValue(spec, v, `${prefix}${k}`, problems);
  }
  return problems;
}

/** Checks a payload dictionary against its payload schema plus Apple's common payload keys. */
export function validatePayload(file: string, dict: Record<string, PlistValue>): string[] {
  return validateDict([...schemaKeys('profiles/CommonPayloadKeys.yaml'), ...schemaKeys(file)], dict);
}
