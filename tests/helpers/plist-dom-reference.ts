// The plist parser as it was until the hand-written reader replaced it (server/core/plist.ts): xmldom builds a DOM
// tree, which is then converted. Kept for the differential fuzz test only (tests/fuzz/plist.fuzz.test.ts): both must
// accept the same bodies with the same values, and refuse the same ones.
import { DOMParser, type Element, type Node } from '@xmldom/xmldom';
import {
  DEVICE_PLIST_LIMITS,
  PlistError,
  plistText,
  type PlistDict,
  type PlistLimits,
  type PlistValue,
} from '../../server/core/plist.js';

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const COMMENT = 8;
const INTEGER_RE = /^\s*[+-]?\d{1,19}\s*$/;
const REAL_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** The DOM parser's `parsePlist`: the same checks before reading (`plistText`), then xmldom and a conversion. */
export function parsePlistWithDom(input: Buffer | string, limits: PlistLimits = DEVICE_PLIST_LIMITS): PlistValue {
  const text = plistText(input, limits);
  checkShape(text, limits);
  let doc;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new PlistError(`The plist is not well-formed XML: ${message.trim()}`);
      },
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw err instanceof PlistError
      ? err
      : new PlistError(`The plist is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  const root = doc.documentElement;
  if (!root || root.nodeName !== 'plist')
    throw new PlistError('The document is not a plist (no <plist> root element).');
  const budget = { nodes: 0 };
  const children = elements(root);
  if (children.length !== 1) throw new PlistError('A <plist> must hold exactly one value.');
  return convert(children[0] as Element, 1, limits, budget);
}

/**
 * Refuses a plist that nests too deep or has too many elements before the XML parser builds a tree of it: a
 * scan of the tags costs a few milliseconds for a megabyte, the parser the better part of a second. A plist within
 * the limits always passes (a value is at most two elements, its key and itself); comments and CDATA are skipped,
 * and anything malformed is left to the parser to name.
 */
function checkShape(text: string, limits: PlistLimits): void {
  const maxElements = 2 * limits.maxNodes + 2;
  let depth = 0;
  let count = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x2f /* '/' */) {
      depth--;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      i = text.indexOf('-->', i + 4);
      if (i === -1) return;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      i = text.indexOf(']]>', i + 9);
      if (i === -1) return;
      continue;
    }
    if (next === 0x21 /* '!' */ || next === 0x3f /* '?' */) continue;
    const end = text.indexOf('>', i);
    if (end === -1) return;
    if (++count > maxElements) throw new PlistError(`The plist has more than ${limits.maxNodes} values.`);
    if (text.charCodeAt(end - 1) !== 0x2f /* '/' */ && ++depth > limits.maxDepth + 1)
      throw new PlistError(`The plist nests deeper than ${limits.maxDepth} levels.`);
    i = end;
  }
}

function elements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === ELEMENT) out.push(c as Element);
    else if (c.nodeType === TEXT && (c.nodeValue ?? '').trim() !== '')
      throw new PlistError(`Unexpected text inside <${node.nodeName}>.`);
    else if (c.nodeType !== TEXT && c.nodeType !== COMMENT)
      throw new PlistError(`Unexpected content inside <${node.nodeName}>.`);
  }
  return out;
}

function textOf(el: Element): string {
  let s = '';
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === TEXT || c.nodeType === CDATA) s += c.nodeValue ?? '';
    else if (c.nodeType !== COMMENT) throw new PlistError(`<${el.nodeName}> must hold only text.`);
  }
  return s;
}

function convert(el: Element, depth: number, limits: PlistLimits, budget: { nodes: number }): PlistValue {
  if (depth > limits.maxDepth) throw new PlistError(`The plist nests deeper than ${limits.maxDepth} levels.`);
  if (++budget.nodes > limits.maxNodes) throw new PlistError(`The plist has more than ${limits.maxNodes} values.`);
  switch (el.nodeName) {
    case 'dict': {
      const out: PlistDict = Object.create(null) as PlistDict;
      const kids = elements(el);
      if (kids.length % 2 !== 0) throw new PlistError('A <dict> must alternate <key> and value.');
      for (let i = 0; i < kids.length; i += 2) {
        const k = kids[i] as Element;
        if (k.nodeName !== 'key') throw new PlistError(`Expected <key> in <dict>, found <${k.nodeName}>.`);
        const key = textOf(k);
        if (key in out) throw new PlistError(`The key "${key.slice(0, 64)}" appears twice in one <dict>.`);
        out[key] = convert(kids[i + 1] as Element, depth + 1, limits, budget);
      }
      return out;
    }
    case 'array':
      return elements(el).map((c) => convert(c, depth + 1, limits, budget));
    case 'string':
      return textOf(el);
    case 'integer': {
      const t = textOf(el);
      if (!INTEGER_RE.test(t)) throw new PlistError(`"${t.slice(0, 32)}" is not an <integer>.`);
      const n = Number(t.trim());
      if (!Number.isSafeInteger(n)) throw new PlistError(`The <integer> ${t.trim().slice(0, 32)} is out of range.`);
      return n;
    }
    case 'real': {
      const t = textOf(el);
      if (!REAL_RE.test(t)) throw new PlistError(`"${t.slice(0, 32)}" is not a <real>.`);
      return Number(t.trim());
    }
    case 'true':
    case 'false':
      if (el.firstChild) throw new PlistError(`<${el.nodeName}/> must be empty.`);
      return el.nodeName === 'true';
    case 'data': {
      const t = textOf(el).replace(/\s+/g, '');
      if (!BASE64_RE.test(t)) throw new PlistError('<data> is not valid base64.');
      return Buffer.from(t, 'base64');
    }
    case 'date': {
      const d = new Date(textOf(el).trim());
      if (Number.isNaN(d.getTime())) throw new PlistError('<date> is not an ISO 8601 date.');
      return d;
    }
    default:
      throw new PlistError(`<${el.nodeName}> is not a plist element.`);
  }
}
