// Fails a test on any console error or uncaught exception in the page.
import type { ConsoleMessage, Page } from '@playwright/test';

/**
 * Chromium also logs every HTTP error response as a console error ("Failed to load resource: ... 401").
 * The console answers API errors on purpose (a wrong password is a 401, a bad CSV a 400) and shows them in
 * the page; those, and only those, are not counted. Any other console error or page exception is.
 */
function isHandledApiError(message: ConsoleMessage): boolean {
  const url = message.location().url;
  return (
    /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(message.text()) &&
    /^https?:\/\/[^/]+\/api\//.test(url)
  );
}

/** What a guarded page has reported. */
export interface PageGuard {
  /** Console errors and page exceptions seen so far. */
  problems: string[];
  /** Throws when anything was reported, listing it. */
  assertClean(): void;
}

/** Starts recording console errors and uncaught exceptions of `page`. */
export function guardPage(page: Page): PageGuard {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !isHandledApiError(message)) {
      problems.push(`console error: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
  return {
    problems,
    assertClean() {
      if (problems.length > 0)
        throw new Error(`The page reported ${problems.length} problem(s):\n${problems.join('\n')}`);
    },
  };
}
