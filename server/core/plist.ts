import { build } from 'plist';

/** A property-list value: what Apple's XML plists can hold. */
export type PlistValue = string | number | boolean | Date | Buffer | PlistValue[] | { [key: string]: PlistValue };

/** A plist dictionary. */
export type PlistDict = { [key: string]: PlistValue };

/** Why a plist body was refused. */
export class PlistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlistError';
  }
}

/** Limits for untrusted plists. */
export interface PlistLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
}

/** Defaults for device messages: check-ins and command results. */
export const DEVICE_PLIST_LIMITS: PlistLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxNodes: 50_000,
});

const INTEGER_RE = /^\s*[+-]?\d{1,19}\s*$/;
const REAL_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const NAME_RE = /[A-Za-z_:][\w:.-]*/y;
const XML_DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*\?>$/;
const DOCTYPE_RE =
  /<!DOCTYPE[ \t\n]+[A-Za-z_:][\w:.-]*(?:[ \t\n]+(?:SYSTEM[ \t\n]+(?:"[^"<>]*"|'[^'<>]*')|PUBLIC[ \t\n]+(?:"[-\w \r\n'()+,./:=?;!*#@$%]*"|'[-\w \r\n()+,./:=?;!*#@$%]*')[ \t\n]+(?:"[^"<>]*"|'[^'<>]*')))?[ \t\n]*>/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Parses an XML property list from an untrusted sender, strictly: entity declarations and DOCTYPEs with an
 * internal subset are refused before parsing (no entity expansion of any kind: only XML's five predefined entities
 * and character references are read), malformed XML throws (nothing is logged), values must match their element
 * type, and size, depth and node count are bounded.
 *
 * The reader is written for the plist grammar alone: one pass over the text with no tree, depth and node count
 * checked as it goes. It replaced a DOM parser (xmldom) that cost about 1.5 ms per enrolled Apple device
 * (`npm run bench:enroll`); a differential fuzz test (tests/fuzz/plist.fuzz.test.ts) holds the two to the same
 * answers.
 */
export function parsePlist(input: Buffer | string, limits: PlistLimits = DEVICE_PLIST_LIMITS): PlistValue {
  let text = plistText(input, limits);
  // XML reads CR LF and a lone CR as LF.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  return new PlistReader(text, limits).document();
}

/**
 * The checks before any XML is read: the size bound, UTF-8, no binary plist, no entity declaration, no DOCTYPE with an
 * internal subset. Returns the text.
 */
export function plistText(input: Buffer | string, limits: PlistLimits): string {
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (bytes > limits.maxBytes) throw new PlistError(`The plist is larger than ${limits.maxBytes} bytes.`);
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new PlistError('The plist is not UTF-8 text.');
  }
  if (text.startsWith('bplist')) throw new PlistError('Binary plists are not accepted; send XML.');
  if (/<!ENTITY/i.test(text)) throw new PlistError('The plist declares XML entities, which are refused.');
  const doctype = /<!DOCTYPE[^>[]*(\[|>)/i.exec(text);
  if (doctype?.[1] === '[') throw new PlistError('The plist has a DOCTYPE with an internal subset, which is refused.');
  return text;
}

/** A name from the message as an error shows it: at most 64 characters. */
const cut = (name: string) => (name.length > 64 ? `${name.slice(0, 64)}…` : name);

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/** One pass over a plist's text; every method starts at its construct's first character. */
class PlistReader {
  private i = 0;
  private nodes = 0;

  constructor(
    private readonly s: string,
    private readonly limits: PlistLimits,
  ) {}

  private malformed(what: string): never {
    throw new PlistError(`The plist is not well-formed XML: ${what}`);
  }

  document(): PlistValue {
    this.misc(true);
    if (this.i >= this.s.length || this.s.charCodeAt(this.i + 1) === 0x2f /* '/' */)
      throw new PlistError('The document is not a plist (no <plist> root element).');
    const root = this.startTag();
    if (root.name !== 'plist') throw new PlistError('The document is not a plist (no <plist> root element).');
    let value: PlistValue | undefined;
    if (!root.empty) {
      while (this.child('plist')) {
        if (value !== undefined) throw new PlistError('A <plist> must hold exactly one value.');
        value = this.value(1);
      }
      this.endTag('plist');
    }
    if (value === undefined) throw new PlistError('A <plist> must hold exactly one value.');
    this.misc(false);
    if (this.i < this.s.length) this.malformed('content after the root element.');
    return value;
  }

  /** Skips what may stand outside the root: white space, comments, processing instructions, and (before it) a DOCTYPE. */
  private misc(prolog: boolean): void {
    const s = this.s;
    for (;;) {
      while (this.i < s.length && isSpace(s.charCodeAt(this.i))) this.i++;
      if (this.i >= s.length) return;
      if (s.charCodeAt(this.i) !== 0x3c /* '<' */) this.malformed('text outside the root element.');
      if (s.startsWith('<!--', this.i)) this.comment();
      else if (s.startsWith('<?', this.i)) this.instruction();
      else if (prolog && s.startsWith('<!DOCTYPE', this.i)) {
        // Its form only: a name and an optional external id (the internal subset was refused above), whose literals
        // hold no "<" or ">" (XML would allow them in the system literal; no URI has them).
        DOCTYPE_RE.lastIndex = this.i;
        const m = DOCTYPE_RE.exec(s);
        if (!m) this.malformed('the DOCTYPE is malformed.');
        this.i += m[0].length;
        prolog = false;
      } else if (s.charCodeAt(this.i + 1) === 0x21 /* '!' */) this.malformed('markup outside the root element.');
      else return;
    }
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end === -1) this.malformed('an unclosed comment.');
    this.i = end + 3;
  }

  /** `<?target ...?>`; a target of "xml" only as the XML declaration at the very start. */
  private instruction(): void {
    const at = this.i;
    this.i += 2;
    const target = this.name();
    const end = this.s.indexOf('?>', this.i);
    if (end === -1) this.malformed('an unclosed processing instruction.');
    if (end > this.i && !isSpace(this.s.charCodeAt(this.i)))
      this.malformed(`the instruction <?${cut(target)} is malformed.`);
    if (target.toLowerCase() === 'xml' && (at !== 0 || !XML_DECLARATION.test(this.s.slice(0, end + 2))))
      this.malformed('the XML declaration is malformed or not at the start.');
    this.i = end + 2;
  }

  /** An XML name here; `what` says what it names, for the error when there is none. */
  private name(what = 'a tag'): string {
    NAME_RE.lastIndex = this.i;
    const m = NAME_RE.exec(this.s);
    if (!m) this.malformed(`${what} without a name at offset ${this.i}.`);
    this.i += m[0].length;
    return m[0];
  }

  private spaces(): boolean {
    const start = this.i;
    while (this.i < this.s.length && isSpace(this.s.charCodeAt(this.i))) this.i++;
    return this.i > start;
  }

  /** `<name attr="v" ...>` or `<name .../>`; attributes are checked for form and otherwise ignored. */
  private startTag(): { name: string; empty: boolean } {
    const s = this.s;
    this.i++;
    const name = this.name();
    const seen = new Set<string>();
    for (;;) {
      const spaced = this.spaces();
      const c = s.charCodeAt(this.i);
      if (c === 0x3e /* '>' */) {
        this.i++;
        return { name, empty: false };
      }
      if (c === 0x2f /* '/' */ && s.charCodeAt(this.i + 1) === 0x3e) {
        this.i += 2;
        return { name, empty: true };
      }
      if (!spaced) this.malformed(`<${cut(name)}> is not closed properly.`);
      const attribute = this.name(`an attribute of <${cut(name)}>`);
      if (seen.has(attribute)) this.malformed(`the attribute ${cut(attribute)} appears twice in <${cut(name)}>.`);
      seen.add(attribute);
      this.spaces();
      if (s.charCodeAt(this.i) !== 0x3d /* '=' */) this.malformed(`the attribute ${cut(attribute)} has no value.`);
      this.i++;
      this.spaces();
      const quote = s[this.i];
      if (quote !== '"' && quote !== "'") this.malformed(`the attribute ${cut(attribute)} is not quoted.`);
      const end = s.indexOf(quote, this.i + 1);
      if (end === -1) this.malformed(`the attribute ${cut(attribute)} is not closed.`);
      const raw = s.slice(this.i + 1, end);
      if (raw.includes('<')) this.malformed(`the attribute ${cut(attribute)} holds "<".`);
      this.decode(raw);
      this.i = end + 1;
    }
  }

  private endTag(name: string): void {
    this.i += 2;
    const got = this.name();
    if (got !== name) this.malformed(`</${cut(got)}> does not close <${cut(name)}>.`);
    this.spaces();
    if (this.s.charCodeAt(this.i) !== 0x3e /* '>' */) this.malformed(`</${cut(name)}> is not closed properly.`);
    this.i++;
  }

  /**
   * Moves to the next child element of a dict, array or plist: true when one starts here, false at the parent's end
   * tag (not consumed). Only white space and comments may stand between children.
   */
  private child(parent: string): boolean {
    const s = this.s;
    for (;;) {
      const start = this.i;
      const lt = s.indexOf('<', start);
      if (lt === -1) this.malformed(`<${cut(parent)}> is not closed.`);
      for (let k = start; k < lt; k++)
        if (!isSpace(s.charCodeAt(k))) {
          // As a DOM would see it: text that is blank once read (a character reference to a space) is allowed.
          if (this.decode(s.slice(start, lt)).trim() !== '')
            throw new PlistError(`Unexpected text inside <${cut(parent)}>.`);
          break;
        }
      this.i = lt;
      const next = s.charCodeAt(lt + 1);
      if (next === 0x2f /* '/' */) return false;
      if (s.startsWith('<!--', lt)) this.comment();
      else if (next === 0x21 /* '!' */ || next === 0x3f /* '?' */)
        throw new PlistError(`Unexpected content inside <${cut(parent)}>.`);
      else return true;
    }
  }

  /** The text of a string-like element up to its end tag: character data, CDATA sections and comments. */
  private text(name: string): string {
    const s = this.s;
    let out = '';
    for (;;) {
      const lt = s.indexOf('<', this.i);
      if (lt === -1) this.malformed(`<${cut(name)}> is not closed.`);
      if (lt > this.i) out += this.decode(s.slice(this.i, lt));
      this.i = lt;
      if (s.charCodeAt(lt + 1) === 0x2f /* '/' */) {
        this.endTag(name);
        return out;
      }
      if (s.startsWith('<!--', lt)) this.comment();
      else if (s.startsWith('<![CDATA[', lt)) {
        const end = s.indexOf(']]>', lt + 9);
        if (end === -1) this.malformed('an unclosed CDATA section.');
        out += s.slice(lt + 9, end);
        this.i = end + 3;
      } else throw new PlistError(`<${cut(name)}> must hold only text.`);
    }
  }

  /** Character data with XML's five predefined entities and character references read; any other `&` is refused. */
  private decode(raw: string): string {
    let amp = raw.indexOf('&');
    if (amp === -1) return raw;
    let out = '';
    let from = 0;
    while (amp !== -1) {
      const semi = raw.indexOf(';', amp);
      const ref = semi === -1 ? '' : raw.slice(amp + 1, semi);
      let char: string | undefined;
      if (/^#[0-9]{1,7}$/.test(ref)) char = this.codePoint(Number(ref.slice(1)));
      else if (/^#x[0-9a-fA-F]{1,6}$/.test(ref)) char = this.codePoint(Number.parseInt(ref.slice(2), 16));
      else char = ENTITIES[ref];
      if (char === undefined) this.malformed(`the entity &${ref.slice(0, 32)}; is not defined.`);
      out += raw.slice(from, amp) + char;
      from = semi + 1;
      amp = raw.indexOf('&', from);
    }
    return out + raw.slice(from);
  }

  private codePoint(n: number): string {
    const valid =
      n === 0x9 ||
      n === 0xa ||
      n === 0xd ||
      (n >= 0x20 && n <= 0xd7ff) ||
      (n >= 0xe000 && n <= 0xfffd) ||
      (n >= 0x10000 && n <= 0x10ffff);
    if (!valid) this.malformed(`the character reference &#${n}; is not an XML character.`);
    return String.fromCodePoint(n);
  }

  /** One value element and everything in it, at nesting `depth` (the plist's own value is at 1). */
  private value(depth: number): PlistValue {
    const { name, empty } = this.startTag();
    const limits = this.limits;
    if (depth > limits.maxDepth) throw new PlistError(`The plist nests deeper than ${limits.maxDepth} levels.`);
    if (++this.nodes > limits.maxNodes) throw new PlistError(`The plist has more than ${limits.maxNodes} values.`);
    const text = () => (empty ? '' : this.text(name));
    switch (name) {
      case 'dict': {
        const out: PlistDict = Object.create(null) as PlistDict;
        if (empty) return out;
        while (this.child('dict')) {
          const k = this.startTag();
          if (k.name !== 'key') throw new PlistError(`Expected <key> in <dict>, found <${cut(k.name)}>.`);
          const key = k.empty ? '' : this.text('key');
          if (key in out) throw new PlistError(`The key "${key.slice(0, 64)}" appears twice in one <dict>.`);
          if (!this.child('dict')) throw new PlistError('A <dict> must alternate <key> and value.');
          out[key] = this.value(depth + 1);
        }
        this.endTag('dict');
        return out;
      }
      case 'array': {
        const out: PlistValue[] = [];
        if (empty) return out;
        while (this.child('array')) out.push(this.value(depth + 1));
        this.endTag('array');
        return out;
      }
      case 'string':
        return text();
      case 'integer': {
        const t = text();
        if (!INTEGER_RE.test(t)) throw new PlistError(`"${t.slice(0, 32)}" is not an <integer>.`);
        const n = Number(t.trim());
        if (!Number.isSafeInteger(n)) throw new PlistError(`The <integer> ${t.trim().slice(0, 32)} is out of range.`);
        return n;
      }
      case 'real': {
        const t = text();
        if (!REAL_RE.test(t)) throw new PlistError(`"${t.slice(0, 32)}" is not a <real>.`);
        return Number(t.trim());
      }
      case 'true':
      case 'false':
        if (!empty) {
          if (!this.s.startsWith('</', this.i)) throw new PlistError(`<${cut(name)}/> must be empty.`);
          this.endTag(name);
        }
        return name === 'true';
      case 'data': {
        const t = text().replace(/\s+/g, '');
        if (!BASE64_RE.test(t)) throw new PlistError('<data> is not valid base64.');
        return Buffer.from(t, 'base64');
      }
      case 'date': {
        const d = new Date(text().trim());
        if (Number.isNaN(d.getTime())) throw new PlistError('<date> is not an ISO 8601 date.');
        return d;
      }
      default:
        throw new PlistError(`<${cut(name)}> is not a plist element.`);
    }
  }
}

/** Serializes a value as an Apple XML plist (with the standard DOCTYPE); Buffers become <data>. */
export function buildPlist(value: PlistValue): string {
  return build(value as Parameters<typeof build>[0]);
}

/** True when `v` is a plist dictionary. */
export function isDict(v: PlistValue | undefined): v is PlistDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);
}
