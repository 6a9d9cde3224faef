// The biggest request a JSON Schema allows, written as long as compact JSON can be: what a body limit must
// hold for every request the schema accepts to fit. Only the keywords the agent API's schemas use are
// understood; anything that leaves the size open (a string without maxLength, an array without maxItems, an
// object that takes unknown properties) throws, because no body limit could then hold every valid request.

type Schema = Record<string, unknown>;

// Tried in order: an astral character counts as one character for maxLength (JSON Schema counts code points)
// but is the longest to write (12 bytes as two \u escapes); ASCII for patterns that allow nothing else.
const FILLERS = ['\u{1F600}', '\u00E9', 'A', '0'];

// Doubles whose shortest JSON form is longest (23 characters), for numbers that only have bounds.
const LONG_NUMBERS = [
  2.2250738585072014e-308, -2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
];

/** The largest value `schema` allows: every optional property present, every string and array at its maximum. */
export function largestValue(schema: Schema): unknown {
  const branches = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (branches) return longest(branches.map(largestValue));
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return longest(schema.enum as unknown[]);
  switch (schema.type) {
    case 'object': {
      if (schema.additionalProperties !== false)
        throw new Error('an object that takes any property has no largest value');
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      return Object.fromEntries(Object.entries(props).map(([name, s]) => [name, largestValue(s)]));
    }
    case 'array': {
      if (typeof schema.maxItems !== 'number') throw new Error('an array without maxItems has no largest value');
      const item = largestValue(schema.items as Schema);
      return Array.from({ length: schema.maxItems }, () => item);
    }
    case 'string': {
      if (typeof schema.maxLength !== 'number') throw new Error('a string without maxLength has no largest value');
      const max = schema.maxLength;
      const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
      const fill = FILLERS.map((c) => c.repeat(max)).find((s) => !pattern || pattern.test(s));
      if (fill === undefined) throw new Error(`no filler matches ${String(schema.pattern)}`);
      return fill;
    }
    case 'integer': {
      const bounds = [schema.minimum, schema.maximum];
      if (!bounds.every((b) => typeof b === 'number'))
        throw new Error('an integer without bounds has no largest value');
      return longest(bounds);
    }
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -Infinity;
      const max = typeof schema.maximum === 'number' ? schema.maximum : Infinity;
      const n = LONG_NUMBERS.find((x) => x >= min && x <= max);
      if (n === undefined) throw new Error('no long number fits the bounds');
      return n;
    }
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      throw new Error(`unsupported schema: ${JSON.stringify(schema).slice(0, 200)}`);
  }
}

function longest(values: unknown[]): unknown {
  return values.reduce((a, b) => (longestJson(b).length > longestJson(a).length ? b : a));
}

const escape = (s: string) =>
  `"${Array.from({ length: s.length }, (_, i) => `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;

/**
 * Compact JSON of `value` with every character of every string and property name escaped as \uXXXX: the
 * longest text a JSON writer can produce for it without insignificant whitespace (ASCII, so bytes = length).
 */
export function longestJson(value: unknown): string {
  if (typeof value === 'string') return escape(value);
  if (Array.isArray(value)) return `[${value.map(longestJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${escape(k)}:${longestJson(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
