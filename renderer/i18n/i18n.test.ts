import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_ACTIONS } from '../../server/contract/index.js';
import en from './en.js';
import ja from './ja.js';
import { allMessages as messages, createTestI18n } from '../test-support/i18n.js';
import { createAppI18n, detectLocale, loadMessages, switchLocale } from './index.js';

/** Every leaf of a message tree as `dotted.key -> value`. */
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

/** The `{name}` parameters a message uses (literals such as {'@'} excluded). */
function params(message: string): string[] {
  return [...new Set([...message.matchAll(/\{\s*([A-Za-z_][\w]*)\s*\}/g)].map((m) => m[1] as string))].sort();
}

// The full trees, the helper window's messages (helper.ja.ts, helper.en.ts) included.
const jaLeaves = leaves(messages.ja);
const enLeaves = leaves(messages.en);

describe('ja and en messages', () => {
  it('have exactly the same keys', () => {
    const onlyInJa = [...jaLeaves.keys()].filter((k) => !enLeaves.has(k));
    const onlyInEn = [...enLeaves.keys()].filter((k) => !jaLeaves.has(k));
    expect({ onlyInJa, onlyInEn }).toEqual({ onlyInJa: [], onlyInEn: [] });
  });

  it.each([
    ['ja', jaLeaves],
    ['en', enLeaves],
  ] as const)('%s has no empty or non-string values', (_locale, tree) => {
    const bad = [...tree].filter(([, value]) => typeof value !== 'string' || value.trim() === '').map(([key]) => key);
    expect(bad).toEqual([]);
  });

  it('use the same parameters for each key in both languages', () => {
    const mismatched = [...enLeaves.keys()].filter((key) => {
      const a = jaLeaves.get(key);
      const b = enLeaves.get(key);
      return typeof a === 'string' && typeof b === 'string' && params(a).join() !== params(b).join();
    });
    expect(mismatched).toEqual([]);
  });
});

describe('the i18n instance', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(['ja', 'en'] as const)('compiles and renders every %s message without warnings', (locale) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const missing: string[] = [];
    const i18n = createTestI18n(locale, (m) => missing.push(m));
    for (const [key, value] of leaves(messages[locale])) {
      const names = params(String(value));
      // vue-i18n adds `n` and `count` to the object it is given, so hand it a copy.
      const out = i18n.global.t(key, Object.fromEntries(names.map((p) => [p, p === 'count' ? 2 : `<${p}>`])), 2);
      expect(out, key).not.toBe(key);
      expect(out.length, key).toBeGreaterThan(0);
      for (const p of names) if (p !== 'count') expect(out, `${key} shows {${p}}`).toContain(`<${p}>`);
    }
    expect(missing).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('reports a missing key through the missing handler instead of falling back silently', () => {
    const missing: string[] = [];
    const i18n = createTestI18n('en', (m) => missing.push(m));
    expect(i18n.global.t('no.such.key')).toBe('no.such.key');
    expect(missing).toEqual(['Missing en translation: no.such.key']);
  });

  it('renders a literal @ in the email hint', () => {
    expect(createTestI18n('en').global.t('errors.emailInvalid')).toBe(
      'Enter an email address such as name@example.com.',
    );
  });
});

describe('one language at a time', () => {
  it.each(['ja', 'en'] as const)("loads the %s catalogue, the helper window's messages included", async (locale) => {
    const loaded = await loadMessages(locale);
    expect(loaded).toBe(messages[locale]);
    expect(loaded.helper.title).toBe(messages[locale].helper.title);
  });

  it('starts with only the language it shows, and refuses to start without it', () => {
    const i18n = createAppI18n('en', { en: messages.en });
    expect(i18n.global.availableLocales).toEqual(['en']);
    expect(i18n.global.t('nav.main')).toBe(messages.en.nav.main);
    expect(() => createAppI18n('ja', { en: messages.en })).toThrow('no ja messages');
  });

  it('switches only once the other catalogue is there, so no key is ever shown untranslated', async () => {
    const missing: string[] = [];
    const i18n = createAppI18n('en', { en: messages.en }, (m) => missing.push(m));
    const seen: string[] = [];
    const target = {
      get availableLocales() {
        return i18n.global.availableLocales;
      },
      setLocaleMessage: i18n.global.setLocaleMessage,
      locale: {
        get value() {
          return i18n.global.locale.value;
        },
        set value(next: string) {
          // What the page would render at the moment the locale changes.
          i18n.global.locale.value = next as 'ja' | 'en';
          seen.push(i18n.global.t('nav.main'));
        },
      },
    };
    const switching = switchLocale(target, 'ja');
    expect(i18n.global.locale.value).toBe('en');
    await expect(switching).resolves.toBe(true);
    expect(seen).toEqual([messages.ja.nav.main]);
    expect(i18n.global.availableLocales).toEqual(['en', 'ja']);
    expect(missing).toEqual([]);
  });

  it('lets the later of two quick switches win', async () => {
    const i18n = createAppI18n('en', { en: messages.en });
    const toJa = switchLocale(i18n.global, 'ja');
    const backToEn = switchLocale(i18n.global, 'en');
    await expect(backToEn).resolves.toBe(true);
    await expect(toJa).resolves.toBe(false);
    expect(i18n.global.locale.value).toBe('en');
    expect(i18n.global.t('nav.main')).toBe(messages.en.nav.main);
  });
});

describe('the keys the console uses', () => {
  // Every source file of the console, as text (Vite's glob import; no file system access from renderer/).
  const sources = import.meta.glob(['../**/*.{ts,vue}', '!../**/*.test.ts', '!./**'], {
    query: '?raw',
    import: 'default',
    eager: true,
  }) as Record<string, string>;
  const get = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined),
        messages.en,
      );

  it('finds the source files', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(40);
  });

  it('all exist in the messages (literal keys, and the prefixes of keys built from a value)', () => {
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      // t('a.b'), $t("a.b"), t(`a.b`), i18n.global.t('a.b'), and <i18n-t keypath="a.b">.
      for (const m of text.matchAll(/\bte?\(\s*(['"`])([a-zA-Z0-9_.-]+)\1/g))
        if (typeof get(m[2] as string) !== 'string') missing.push(`${file}: ${m[2]}`);
      for (const m of text.matchAll(/\bkeypath="([a-zA-Z0-9_.-]+)"/g))
        if (typeof get(m[1] as string) !== 'string') missing.push(`${file}: ${m[1]}`);
      for (const m of text.matchAll(/\bte?\(\s*`([a-zA-Z0-9_.-]+)\.\$\{/g))
        if (typeof get(m[1] as string) !== 'object') missing.push(`${file}: ${m[1]}.*`);
    }
    expect(missing).toEqual([]);
  });

  it('also when a key is written as a string elsewhere and handed to t() later (a label map, a helper)', () => {
    // Any 'section.key…' in single quotes or backticks (code, not a template attribute's expression in double
    // quotes) whose first part is a message section is taken for a key: it must lead somewhere.
    const sections = new Set(Object.keys(messages.en));
    const missing: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/(['`])([a-zA-Z][a-zA-Z0-9_]*)((?:\.[a-zA-Z0-9_]+)+)\.?\1/g)) {
        const key = `${m[2]}${m[3]}`;
        if (sections.has(m[2] as string) && get(key) === undefined) missing.push(`${file}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the checks above would catch a missing key', () => {
    // The same expressions over a made-up source: a guard against a regex that silently matches nothing.
    const text = `t('users.title'); $t("users.noSuchKey"); t(\`users.alsoMissing\`); const k = 'userActions.menu.gone';`;
    const literal = [...text.matchAll(/\bte?\(\s*(['"`])([a-zA-Z0-9_.-]+)\1/g)].map((m) => m[2]);
    expect(literal.filter((k) => typeof get(k as string) !== 'string')).toEqual([
      'users.noSuchKey',
      'users.alsoMissing',
    ]);
    const quoted = [...text.matchAll(/(['`])([a-zA-Z][a-zA-Z0-9_]*)((?:\.[a-zA-Z0-9_]+)+)\.?\1/g)].map(
      (m) => `${m[2]}${m[3]}`,
    );
    expect(quoted.filter((k) => get(k) === undefined)).toEqual(['users.alsoMissing', 'userActions.menu.gone']);
  });
});

describe('the audit action labels', () => {
  const labelled = (tree: unknown) => [...leaves(tree).keys()].sort();

  it.each([
    ['ja', ja.auditActions],
    ['en', en.auditActions],
  ] as const)('in %s name exactly the actions the server records', (_locale, labels) => {
    expect(labelled(labels)).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('lists every action once', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });
});

describe('detectLocale', () => {
  it.each([
    [null, 'ja-JP', 'ja'],
    [null, 'en-US', 'en'],
    [null, 'EN', 'en'],
    [null, 'fr-FR', 'ja'],
    [null, undefined, 'ja'],
    ['en', 'ja-JP', 'en'],
    ['ja', 'en-GB', 'ja'],
    ['de', 'en-GB', 'en'],
  ] as const)('stored %s, browser %s -> %s', (stored, browser, expected) => {
    expect(detectLocale(stored, browser)).toBe(expected);
  });
});
