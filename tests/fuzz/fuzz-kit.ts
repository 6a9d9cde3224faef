// What the fuzz properties share: the run budget (FUZZ_RUNS, FUZZ_SEED), the seed corpus, byte mutators and
// structure-aware generators for ASN.1 DER and XML plists. Every generator is a fast-check arbitrary, so a
// failure shrinks to a small counterexample and prints the seed and path that replay it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import forge from 'node-forge';

/** Runs per property in `npm test` unless FUZZ_RUNS says otherwise; `npm run fuzz` sets 20000. */
export const FUZZ_RUNS = positive(process.env.FUZZ_RUNS, 200);

/** The seed to replay (printed by `npm run fuzz` and by every failure); random when unset. */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

function positive(value: string | undefined, fallback: number): number {
  const n = value ? Number(value) : fallback;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * fast-check parameters for one property: FUZZ_RUNS scaled by `weight` (HTTP targets cost a round trip per
 * run, so they take a fraction), at least 20 runs, with the FUZZ_SEED when one is given. A run that outlasts
 * its test's timeout stops and fails (rather than going on in the background into the next test).
 */
export function fuzzParams<T>(weight = 1, msPerRun = 40): fc.Parameters<T> {
  return {
    numRuns: Math.max(20, Math.round(FUZZ_RUNS * weight)),
    interruptAfterTimeLimit: fuzzTimeout(weight, msPerRun) - 5_000,
    markInterruptAsFailure: true,
    ...(FUZZ_SEED !== undefined && Number.isInteger(FUZZ_SEED) ? { seed: FUZZ_SEED } : {}),
  };
}

/** Vitest timeout for a property of `weight`: generous, since the bound is the run count, not the clock. */
export function fuzzTimeout(weight = 1, msPerRun = 40): number {
  return 30_000 + Math.max(20, Math.round(FUZZ_RUNS * weight)) * msPerRun;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `fn` and lets it either return or throw one of the `allowed` error classes (optionally checked by
 * `accept`); any other throw (TypeError, RangeError, a stack overflow, a foreign library's error) fails the
 * property with that error.
 */
export function onlyThrows<T>(
  fn: () => T,
  allowed: ErrorClass[],
  accept: (err: Error) => boolean = () => true,
): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (allowed.some((c) => err instanceof c) && accept(err as Error)) return undefined;
    throw err;
  }
}

// ---- corpus --------------------------------------------------------------------------------------------

const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

/** The files of one corpus folder (`plist`, `der`, `csv`) by name. */
export function corpus(folder: string): Map<string, Buffer> {
  const dir = join(CORPUS_DIR, folder);
  return new Map(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name))] as const),
  );
}

/** One corpus file. */
export function corpusFile(folder: string, name: string): Buffer {
  const file = corpus(folder).get(name);
  if (!file) throw new Error(`tests/fuzz/corpus/${folder}/${name} is missing`);
  return file;
}

// ---- byte mutators -------------------------------------------------------------------------------------

/** One edit of a byte string; positions are taken modulo the current length so that they always apply. */
export type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; byte: number }
  | { k: 'truncate'; at: number }
  | { k: 'insert'; at: number; bytes: Uint8Array }
  | { k: 'delete'; at: number; len: number }
  | { k: 'splice'; at: number; from: number; len: number; other: number }
  | { k: 'repeat'; at: number; len: number; times: number }
  | { k: 'length'; at: number; octets: number; fill: number };

// Bytes that change DER structure (tags, length forms) and XML structure (<, >, &, quotes).
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, 0x30, 0x31, 0xa0, 0x3c, 0x3e, 0x26, 0x22];

/** One random byte edit. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({
    k: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat({ max: 255 })),
  }),
  fc.record({ k: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ k: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    k: fc.constant('splice' as const),
    at: fc.nat(),
    from: fc.nat(),
    len: fc.integer({ min: 1, max: 512 }),
    other: fc.nat(),
  }),
  fc.record({
    k: fc.constant('repeat' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 200 }),
  }),
  // A DER long-form length: 0x80|n followed by n octets (0xff... claims gigabytes).
  fc.record({
    k: fc.constant('length' as const),
    at: fc.nat(),
    octets: fc.integer({ min: 1, max: 8 }),
    fill: fc.constantFrom(0x00, 0x7f, 0x80, 0xff),
  }),
);

/** Applies `edits` to `seed`; `others` are the buffers a splice copies from. */
export function applyMutations(seed: Buffer, edits: readonly Mutation[], others: readonly Buffer[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of edits) {
    const n = b.length;
    const at = n === 0 ? 0 : m.at % n;
    switch (m.k) {
      case 'flip':
        if (n > 0) b[at] = (b[at] as number) ^ (1 << m.bit);
        break;
      case 'set':
        if (n > 0) b[at] = m.byte;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'splice': {
        const src = others.length > 0 ? (others[m.other % others.length] as Buffer) : b;
        const from = src.length === 0 ? 0 : m.from % src.length;
        b = Buffer.concat([b.subarray(0, at), src.subarray(from, from + m.len), b.subarray(at)]);
        break;
      }
      case 'repeat': {
        const chunk = b.subarray(at, at + m.len);
        b = Buffer.concat([b.subarray(0, at), ...Array<Buffer>(m.times).fill(chunk), b.subarray(at)]);
        break;
      }
      case 'length':
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from([0x80 | m.octets, ...Array<number>(m.octets).fill(m.fill)]),
          b.subarray(at + 1),
        ]);
        break;
    }
  }
  return b;
}

/** A seed from `seeds` with 1 to `max` byte mutations (splices take bytes from the other seeds). */
export function mutatedBytes(seeds: readonly Buffer[], max = 6): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: max }))
    .map(([i, edits]) => applyMutations(seeds[i] as Buffer, edits, seeds));
}

// ---- ASN.1 DER -----------------------------------------------------------------------------------------

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

/** The kinds of ASN.1 values the random-tree generator builds. */
export type AsnSpec =
  { p: true; cls: number; tag: number; value: string } | { p: false; cls: number; tag: number; items: AsnSpec[] };

const UNIVERSAL = asn1.Class.UNIVERSAL;
const CONTEXT = asn1.Class.CONTEXT_SPECIFIC;

// OIDs the codecs look for, so random trees reach the branches behind them.
const KNOWN_OIDS = [
  '1.2.840.113549.1.7.1',
  '1.2.840.113549.1.7.2',
  '1.2.840.113549.1.7.3',
  '1.2.840.113549.1.1.1',
  '1.2.840.113549.1.1.5',
  '1.2.840.113549.1.1.11',
  '1.3.14.3.2.26',
  '2.16.840.1.101.3.4.2.1',
  '1.2.840.113549.1.9.3',
  '1.2.840.113549.1.9.4',
  '1.2.840.113549.1.9.5',
  '1.2.840.113549.1.9.7',
  '1.2.840.113549.1.9.14',
  '2.16.840.1.113733.1.9.2',
  '2.16.840.1.113733.1.9.3',
  '2.16.840.1.113733.1.9.5',
  '2.16.840.1.113733.1.9.6',
  '2.16.840.1.113733.1.9.7',
  '2.16.840.1.101.3.4.1.2',
  '1.2.840.113549.3.7',
  '2.5.4.3',
  '2.5.29.15',
];

const binary = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u).toString('binary'));

const primitiveSpec: fc.Arbitrary<AsnSpec> = fc.oneof(
  fc
    .constantFrom(...KNOWN_OIDS)
    .map((o): AsnSpec => ({ p: true, cls: UNIVERSAL, tag: 6, value: asn1.oidToDer(o).getBytes() })),
  fc.record({
    p: fc.constant(true as const),
    cls: fc.constant(UNIVERSAL),
    // BOOLEAN, INTEGER, BIT STRING, OCTET STRING, NULL, OID, strings and times.
    tag: fc.constantFrom(1, 2, 3, 4, 5, 6, 12, 19, 20, 22, 23, 24, 26, 30),
    value: fc.oneof(binary(24), binary(300), fc.string({ maxLength: 40 })),
  }),
  fc.record({ p: fc.constant(true as const), cls: fc.constant(CONTEXT), tag: fc.nat({ max: 4 }), value: binary(64) }),
);

const treeSpec: fc.Arbitrary<AsnSpec> = fc.letrec<{ node: AsnSpec }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitiveSpec,
    fc.record({
      p: fc.constant(false as const),
      cls: fc.constantFrom(UNIVERSAL, UNIVERSAL, CONTEXT),
      tag: fc.constantFrom(16, 17, 0, 1, 2, 3),
      items: fc.array(tie('node'), { maxLength: 5 }),
    }),
  ),
})).node;

function build(spec: AsnSpec): Asn1 {
  // Universal tags 16/17 are SEQUENCE/SET; context tags 0..3 may be constructed or primitive.
  return spec.p
    ? asn1.create(spec.cls, spec.tag, false, spec.value)
    : asn1.create(spec.cls, spec.cls === UNIVERSAL && spec.tag < 16 ? 16 : spec.tag, true, spec.items.map(build));
}

/** The DER bytes of a node (forge's writer, so the result is canonical DER whatever the content). */
export function toDer(node: Asn1): Buffer {
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/** A random ASN.1 tree as DER: SEQUENCE/SET/[n] nests of OIDs the codecs know, strings, integers, times. */
export const randomDer: fc.Arbitrary<Buffer> = treeSpec.map((s) => toDer(build(s)));

/** `depth` nested SEQUENCEs (or [0]s) around a NULL: deep nesting in canonical DER. */
export const deepDer: fc.Arbitrary<Buffer> = fc
  .tuple(fc.integer({ min: 20, max: 3000 }), fc.boolean())
  .map(([depth, ctx]) => {
    let node: Asn1 = asn1.create(UNIVERSAL, 5, false, '');
    for (let i = 0; i < depth; i++) node = asn1.create(ctx ? CONTEXT : UNIVERSAL, ctx ? 0 : 16, true, [node]);
    return toDer(node);
  });

function nodes(root: Asn1): { parent: Asn1; index: number }[] {
  const out: { parent: Asn1; index: number }[] = [];
  const walk = (n: Asn1) => {
    if (!Array.isArray(n.value)) return;
    n.value.forEach((child, index) => {
      out.push({ parent: n, index });
      walk(child);
    });
  };
  walk(root);
  return out;
}

/** An edit of a parsed ASN.1 tree: which element (modulo their count), what to do, and a random subtree. */
export type TreeEdit = [number, 'replace' | 'remove' | 'duplicate' | 'retag', AsnSpec];

/** One to three tree edits. */
export const treeEdits: fc.Arbitrary<TreeEdit[]> = fc.array(
  fc.tuple(
    fc.nat(),
    fc.constantFrom('replace' as const, 'remove' as const, 'duplicate' as const, 'retag' as const),
    treeSpec,
  ),
  { minLength: 1, maxLength: 3 },
);

/** Applies tree edits to DER bytes and re-encodes them (canonical DER again). */
export function applyTreeEdits(der: Buffer, edits: readonly TreeEdit[]): Buffer {
  const root = asn1.fromDer(forge.util.createBuffer(der.toString('binary')), {
    strict: false,
    decodeBitStrings: false,
  } as never);
  for (const [at, op, spec] of edits) {
    const all = nodes(root);
    if (all.length === 0) break;
    const { parent, index } = all[at % all.length] as { parent: Asn1; index: number };
    const list = parent.value as Asn1[];
    const target = list[index] as Asn1;
    if (op === 'replace') list[index] = build(spec);
    else if (op === 'remove') list.splice(index, 1);
    else if (op === 'duplicate') list.splice(index, 0, target);
    else list[index] = { ...target, tagClass: spec.cls, type: spec.tag } as Asn1;
  }
  return toDer(root);
}

/**
 * A seed with ASN.1 elements replaced by random trees, removed, duplicated or retagged, then re-encoded: the
 * result is canonical DER, so it gets past the DER reader into the structure checks of the CMS, CSR and SCEP
 * codecs.
 */
export function mutatedDerTree(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), treeEdits)
    .map(([i, edits]) => applyTreeEdits(seeds[i] as Buffer, edits));
}

// ---- XML plists ----------------------------------------------------------------------------------------

/** A plist value as the generator sees it (rendered to XML by `renderPlist`). */
export type PlistSpec =
  | { t: 'string' | 'integer' | 'real' | 'date' | 'data'; s: string }
  | { t: 'true' | 'false' }
  | { t: 'array'; items: PlistSpec[] }
  | { t: 'dict'; entries: [string, PlistSpec][] }
  | { t: 'unknown'; name: string };

const xmlText = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  {
    weight: 6,
    arbitrary: fc.constantFrom('', ' ', 'Authenticate', 'TokenUpdate', 'CheckOut', '&lt;', '&#0;', '&#x1F600;', ']]>'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const leafSpec: fc.Arbitrary<PlistSpec> = fc.oneof(
  fc.record({ t: fc.constant('string' as const), s: xmlText }),
  fc.record({
    t: fc.constant('integer' as const),
    s: fc.oneof(
      fc.bigInt().map(String),
      fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
      fc.constantFrom('9007199254740993', '-0', '+1', ' 1 ', '0x10', '1e3', '', '99999999999999999999'),
    ),
  }),
  fc.record({
    t: fc.constant('real' as const),
    s: fc.oneof(fc.double().map(String), fc.constantFrom('1e309', '-1e-400', 'NaN', 'Infinity', '.5', '5.', '1e')),
  }),
  fc.record({
    t: fc.constant('date' as const),
    s: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
    ),
  }),
  fc.record({
    t: fc.constant('data' as const),
    s: fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u).toString('base64')),
      fc.string({ maxLength: 40 }),
    ),
  }),
  fc.record({ t: fc.constantFrom('true' as const, 'false' as const) }),
  fc.record({ t: fc.constant('unknown' as const), name: fc.constantFrom('foo', 'plist', 'key', 'integer x="1"') }),
);

// Keys the check-in and report decoders read, with values of every type.
const KEYS = [
  'MessageType',
  'UDID',
  'Topic',
  'Token',
  'PushMagic',
  'UnlockToken',
  'UserID',
  'UserShortName',
  'UserLongName',
  'BootstrapToken',
  'Status',
  'CommandUUID',
  'ErrorChain',
  'SerialNumber',
  'ProductName',
  'Model',
  'DeviceName',
  'OSVersion',
  '__proto__',
  'constructor',
  'hasOwnProperty',
];

const plistSpec: fc.Arbitrary<PlistSpec> = fc.letrec<{ value: PlistSpec }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafSpec,
    fc.record({ t: fc.constant('array' as const), items: fc.array(tie('value'), { maxLength: 6 }) }),
    fc.record({
      t: fc.constant('dict' as const),
      entries: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), xmlText), tie('value')), { maxLength: 8 }),
    }),
  ),
})).value;

// Only well-formed values, so that whole documents parse and what comes out can be compared with what went in.
const validLeaf: fc.Arbitrary<PlistSpec> = fc.oneof(
  fc.record({ t: fc.constant('string' as const), s: fc.string({ maxLength: 30 }).map((x) => x.replace(/\r/g, '')) }),
  fc.record({ t: fc.constant('integer' as const), s: fc.maxSafeInteger().map(String) }),
  fc.record({ t: fc.constant('real' as const), s: fc.double({ noNaN: true, noDefaultInfinity: true }).map(String) }),
  fc.record({
    t: fc.constant('date' as const),
    s: fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  }),
  fc.record({
    t: fc.constant('data' as const),
    s: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u).toString('base64')),
  }),
  fc.record({ t: fc.constantFrom('true' as const, 'false' as const) }),
);

const validSpec: fc.Arbitrary<PlistSpec> = fc.letrec<{ value: PlistSpec }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    validLeaf,
    fc.record({ t: fc.constant('array' as const), items: fc.array(tie('value'), { maxLength: 5 }) }),
    fc.record({
      t: fc.constant('dict' as const),
      entries: fc.uniqueArray(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...KEYS),
            fc.string({ maxLength: 12 }).map((x) => x.replace(/\r/g, '')),
          ),
          tie('value'),
        ),
        { maxLength: 6, selector: ([k]) => k },
      ),
    }),
  ),
})).value;

/** A well-formed plist document (every value valid, keys unique), including the keys devices send. */
export const validPlist: fc.Arbitrary<string> = validSpec.map(plistDocument);

/** Renders a spec as plist XML (values are escaped; element contents are whatever the spec says). */
export function renderPlist(spec: PlistSpec): string {
  switch (spec.t) {
    case 'true':
    case 'false':
      return `<${spec.t}/>`;
    case 'array':
      return `<array>${spec.items.map(renderPlist).join('')}</array>`;
    case 'dict':
      return `<dict>${spec.entries.map(([k, v]) => `<key>${escapeXml(k)}</key>${renderPlist(v)}`).join('')}</dict>`;
    case 'unknown':
      return `<${spec.name}/>`;
    default:
      return `<${spec.t}>${escapeXml(spec.s)}</${spec.t}>`;
  }
}

const PLIST_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n';

/** A whole plist document around a spec. */
export function plistDocument(spec: PlistSpec): string {
  return `${PLIST_HEAD}<plist version="1.0">${renderPlist(spec)}</plist>`;
}

/** A random plist document: nested dicts and arrays with the keys devices send and values of every type. */
export const randomPlist: fc.Arbitrary<string> = plistSpec.map(plistDocument);

/**
 * A check-in or report shaped plist: a dict with a MessageType (or Status) the decoders know, the `fixed` string
 * entries (a real device's UDID and Topic, say), and random other keys with values of every type.
 */
export function checkinShaped(fixed: Record<string, string> = {}): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(
        ['MessageType', 'Authenticate'],
        ['MessageType', 'TokenUpdate'],
        ['MessageType', 'CheckOut'],
        ['MessageType', 'SetBootstrapToken'],
        ['MessageType', 'GetBootstrapToken'],
        ['MessageType', 'UserAuthenticate'],
        ['MessageType', 'DeclarativeManagement'],
        ['MessageType', 'GetToken'],
        ['Status', 'Idle'],
        ['Status', 'Acknowledged'],
        ['Status', 'Error'],
        ['Status', 'NotNow'],
      ),
      fc.array(fc.tuple(fc.constantFrom(...KEYS), plistSpec), { maxLength: 10 }),
    )
    .map(([[typeKey, type], entries]) => {
      const seen = new Set<string>([typeKey, ...Object.keys(fixed)]);
      const unique = entries.filter(([k]) => !seen.has(k) && seen.add(k));
      return plistDocument({
        t: 'dict',
        entries: [
          [typeKey, { t: 'string', s: type }],
          ...Object.entries(fixed).map(([k, v]): [string, PlistSpec] => [k, { t: 'string', s: v }]),
          ...unique,
        ],
      });
    });
}

/** A check-in shaped plist with random keys and values (and no fixed UDID). */
export const checkinShapedPlist: fc.Arbitrary<string> = checkinShaped();

/** Hostile XML around a plist: entities, DOCTYPE subsets, deep nesting, processing instructions, CDATA. */
export const hostilePlist: fc.Arbitrary<string> = fc.oneof(
  // Nesting far past maxDepth (32); the 1 MiB body bound keeps the XML parser's own work linear and bounded.
  fc.integer({ min: 30, max: 1500 }).map((n) => `<plist>${'<array>'.repeat(n)}${'</array>'.repeat(n)}</plist>`),
  fc
    .integer({ min: 30, max: 1500 })
    .map((n) => `<plist>${'<dict><key>a</key>'.repeat(n)}<true/>${'</dict>'.repeat(n)}</plist>`),
  fc.integer({ min: 1, max: 3000 }).map((n) => `<plist><array>${'<true/>'.repeat(n)}</array></plist>`),
  fc.constantFrom(
    '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaa">]><plist><string>&a;</string></plist>',
    '<!DOCTYPE plist [ <!ELEMENT plist ANY> ]><plist><true/></plist>',
    '<!DOCTYPE plist SYSTEM "file:///etc/passwd"><plist><string>x</string></plist>',
    '<plist><string><![CDATA[<dict/>]]></string></plist>',
    '<plist><?php echo 1 ?><true/></plist>',
    '<plist xmlns="urn:x"><true/></plist>',
    '<plist><string>&unknown;</string></plist>',
    '<plist><dict><key>a</key></dict></plist>',
    '<plist><dict><key>a</key><true/><key>a</key><false/></dict></plist>',
    '<plist></plist>',
    '<plist>',
    '',
    '\uFEFF<plist><true/></plist>',
    'bplist00\u00d1\u0001\u0002',
  ),
);
