import { describe, expect, it } from 'vitest';
import { html, safe, SafeHtml } from './html.js';

const HOSTILE = '"><img src=x onerror=alert(1)>';

describe('the html template', () => {
  it('escapes every interpolated string, in content and in quoted attributes', () => {
    const out = html`<p title="${HOSTILE}">${HOSTILE}</p>`.markup;
    expect(out).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>',
    );
    expect(out).not.toContain('<img');
  });

  it('escapes ampersands and single quotes too', () => {
    expect(html`<a title='${"it's & <b>"}'>x</a>`.markup).toBe("<a title='it&#39;s &amp; &lt;b&gt;'>x</a>");
  });

  it('turns numbers into escaped text, and null, undefined and false into nothing', () => {
    expect(html`<i>${42}</i><i>${null}</i><i>${undefined}</i><i>${false}</i><i>${0}</i>`.markup).toBe(
      '<i>42</i><i></i><i></i><i></i><i>0</i>',
    );
  });

  it('inserts nested html results as they are, and still escapes inside them', () => {
    const inner = html`<b>${HOSTILE}</b>`;
    const out = html`<p>${inner}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.markup).toBe('<p><b>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</b></p>');
  });

  it('joins arrays, escaping plain strings and keeping html results, nested arrays included', () => {
    const items = ['<a>', html`<li>${'b&c'}</li>`, [html`<li>d</li>`, 'e"'], null];
    expect(html`<ul>${items}</ul>`.markup).toBe('<ul>&lt;a&gt;<li>b&amp;c</li><li>d</li>e&quot;</ul>');
    expect(html`<ul>${[]}</ul>`.markup).toBe('<ul></ul>');
  });

  it('inserts what safe() vouches for without escaping', () => {
    expect(html`<div>${safe('<br>')}</div>`.markup).toBe('<div><br></div>');
    expect(String(safe('<hr>'))).toBe('<hr>');
  });

  it('keeps the template text itself untouched', () => {
    expect(html`<p class="a">&amp; "quoted"</p>`.markup).toBe('<p class="a">&amp; "quoted"</p>');
    expect(html``.markup).toBe('');
  });
});
