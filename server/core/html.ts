// Escapes text for element content and quoted attribute values.
function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Markup that is inserted as-is: what `html` returns, or what `safe()` vouches for. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  /** The markup itself. */
  toString(): string {
    return this.markup;
  }
}

/**
 * What a page may interpolate: text and numbers (escaped), markup from `html`/`safe()` (as-is), arrays of these
 * (joined), and nothing (`null`, `undefined`, `false` render as empty, so `${cond && html`...`}` works).
 */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

/** Marks trusted markup (never user or server data) to be inserted without escaping. */
export function safe(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Builds markup from a template, escaping every interpolation unless it is already `SafeHtml`; attribute values
 * must be written quoted (`href="${url}"`), where the escaping also covers quotes.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i] as HtmlValue) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
