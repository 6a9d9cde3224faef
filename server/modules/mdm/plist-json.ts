import type { PlistValue } from '../../core/plist.js';

/** JSON for a plist value, for storage and the admin API: data becomes `{"$data": base64}`, dates ISO strings. */
export function plistToJson(value: PlistValue): unknown {
  if (Buffer.isBuffer(value)) return { $data: value.toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plistToJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plistToJson(v);
    return out;
  }
  return value;
}
