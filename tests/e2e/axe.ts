// Accessibility and Content-Security-Policy checks for the browser specs: an axe-core scan of what a page shows now
// (run by the screenshot specs where they already stand on each page and dialog, once per page in one language and
// size, so the scans add little time), and a recorder of the CSP violations a browser context reports.
//
// axe-core runs in the page directly, injected once per document: @axe-core/playwright's AxeBuilder opens a new blank
// page to finish every scan and took 4 to 10 times as long per scan here (20 s against 4 s on a loaded machine).
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { AxeResults, RunOptions } from 'axe-core';
import { TEST_OUTPUT } from './server.js';

/** axe-core's browser build, read once. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.x A and AA, and axe's best practices (headings, landmarks); only violations are reported back. */
const RUN_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  resultTypes: ['violations'],
};

/** Where the scans write the minor and moderate findings they do not fail on, one JSON line per finding, for people. */
const REPORT = join(TEST_OUTPUT, 'axe', 'findings.jsonl');
/** How long each scan took, one JSON line per scan: what the scans add to the suite's time. */
const TIMES = join(TEST_OUTPUT, 'axe', 'scans.jsonl');

/** The impacts that fail a scan. */
const FAILING_IMPACTS = new Set(['serious', 'critical']);

/**
 * Moderate findings that fail a scan too: each was fixed once (a skipped heading level, a dialog's header taken for a
 * second page banner, landmarks that cannot be told apart) and must not come back.
 */
const FAILING_RULES = new Set([
  'heading-order',
  'landmark-no-duplicate-banner',
  'landmark-banner-is-top-level',
  'landmark-unique',
  'page-has-heading-one',
]);

/**
 * element-plus's table puts aria-checked="mixed" on the <label> of its select-all checkbox while some rows are
 * selected (the <input> inside has the state already): axe rightly finds the attribute not allowed on a label, and the
 * console cannot change element-plus's markup. Only that node is left out.
 */
function knownElementPlusIssue(rule: string, html: string): boolean {
  return (
    rule === 'aria-allowed-attr' &&
    /^<label\b[^>]*class="[^"]*\bel-checkbox\b/.test(html) &&
    /aria-checked="mixed"/.test(html)
  );
}

let reportReady = false;

/**
 * Scans `page` as it stands with axe-core (WCAG 2.x A and AA and axe's best practices) and fails when any finding is
 * serious or critical, or is one of FAILING_RULES, naming the page, each rule, its help and the nodes it found (a soft
 * failure: the test goes on, so one run lists the findings of every page it visits).
 * `name` says what is on screen (a page, or a page with one of its dialogs open). Other findings go to
 * test-output/axe/findings.jsonl.
 */
export async function expectNoSeriousA11y(page: Page, name: string): Promise<void> {
  const started = performance.now();
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (options) => {
    const axe = (window as unknown as { axe: { run(c: Document, o: unknown): Promise<AxeResults> } }).axe;
    return (await axe.run(document, options)).violations;
  }, RUN_OPTIONS);
  for (const v of violations) v.nodes = v.nodes.filter((n) => !knownElementPlusIssue(v.id, n.html));
  const found = violations.filter((v) => v.nodes.length > 0);
  const failing = found.filter((v) => FAILING_IMPACTS.has(v.impact ?? '') || FAILING_RULES.has(v.id));
  const other = found.filter((v) => !failing.includes(v));
  if (!reportReady) {
    mkdirSync(join(TEST_OUTPUT, 'axe'), { recursive: true });
    reportReady = true;
  }
  appendFileSync(TIMES, JSON.stringify({ page: name, ms: Math.round(performance.now() - started) }) + '\n');
  if (other.length > 0) {
    appendFileSync(
      REPORT,
      other
        .map((v) =>
          JSON.stringify({ page: name, rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }),
        )
        .join('\n') + '\n',
    );
  }
  const lines = failing.flatMap((v) => [
    `${v.id} (${v.impact}): ${v.help} ${v.helpUrl}`,
    ...v.nodes.slice(0, 8).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
    ...(v.nodes.length > 8 ? [`    ... and ${v.nodes.length - 8} more`] : []),
  ]);
  expect.soft(lines, `Accessibility of "${name}": ${failing.length} rule(s) failed\n${lines.join('\n')}`).toEqual([]);
}

/** The CSP violations a browser context has reported. */
export interface CspWatch {
  /** One line per violation: the page, the directive and what was blocked. */
  violations: string[];
  /** Throws when any violation was reported, listing them. */
  assertClean(): void;
}

/**
 * Records every `securitypolicyviolation` event of the pages of `context` from their next load on (call it before the
 * first page.goto). The console's policy (server/app.ts) allows no inline script and no inline style attribute or
 * element: a component that needs one shows up here.
 */
export async function watchCsp(context: BrowserContext): Promise<CspWatch> {
  const violations: string[] = [];
  await context.exposeBinding('__tsunaguCspViolation', ({ page }, line: string) => {
    violations.push(`${page.url()}: ${line}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __tsunaguCspViolation?: (line: string) => void }).__tsunaguCspViolation;
      report?.(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ` +
          `(${e.sample.slice(0, 80)})`,
      );
    });
  });
  return {
    violations,
    assertClean() {
      if (violations.length > 0)
        throw new Error(`${violations.length} Content-Security-Policy violation(s):\n${violations.join('\n')}`);
    },
  };
}

/**
 * The language and size each page is scanned in (`<lang>-<size>`): en on desktop and ja on phone, so both languages
 * and both layouts (tables and cards, the side bar and the menu drawer) are scanned once, not four times.
 */
export const A11Y_SCANS: ReadonlySet<string> = new Set(['en-desktop', 'ja-phone']);
