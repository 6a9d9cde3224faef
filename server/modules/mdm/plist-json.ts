import type { PlistValue } from '../../core/plist.js';

/** JSON for a plist value, for storage and the admin API: data becomes `{"$data": base64}`, dates ISO strings. */
export function plistToJson(value: PlistValue): unknown {
  if (Buffer.isBuffer(value)) return { $data: value.toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plistToJson);
  // fromEntries defines own properties: a device key named __proto__ stays a key instead of setting the prototype.
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plistToJson(v)]));
  return value;
}
