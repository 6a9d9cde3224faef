// Where the desktop app's windows may go, decided without Electron so it can be tested: a window stays on the origin
// it was opened for (the console, later the helper's pages), web links open in the user's browser, and every other
// scheme (file:, javascript:, data:, custom schemes) goes nowhere.

/** What a window does with a navigation or a new-window request. */
export type NavigationDecision = { action: 'allow' } | { action: 'open-external'; url: string } | { action: 'deny' };

/** `raw` as a URL, or null when it is not one. */
function parse(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** Web addresses, the only ones handed to the user's browser. */
function isWeb(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'http:';
}

/**
 * The scheme the helper's window loads the renderer's files from (registered as standard and secure in the helper's
 * main process, served from the app's own files: the helper has no local server).
 */
export const APP_SCHEME = 'tsunagu-app:';

/** The helper window's origin. */
export const HELPER_APP_ORIGIN = 'tsunagu-app://helper';

/** `scheme://host[:port]` of a web or app URL (WHATWG gives custom schemes an opaque origin, so it is built here). */
function originOf(url: URL): string | null {
  if (isWeb(url)) return url.origin;
  return url.protocol === APP_SCHEME && url.host !== '' ? `${url.protocol}//${url.host}` : null;
}

/** A navigation of a window opened on `origin` to `target`: the same origin stays, web links go to the browser. */
export function decideNavigation(target: string, origin: string): NavigationDecision {
  const url = parse(target);
  if (!url) return { action: 'deny' };
  if (originOf(url) === origin) return { action: 'allow' };
  return isWeb(url) ? { action: 'open-external', url: url.href } : { action: 'deny' };
}

/** A request for a new window: never inside the app; a web link opens in the user's browser. */
export function decideNewWindow(target: string): NavigationDecision {
  const url = parse(target);
  return url && isWeb(url) ? { action: 'open-external', url: url.href } : { action: 'deny' };
}

/** Whether an IPC message comes from a frame showing `origin` (the console or the helper), not any other page or frame. */
export function isTrustedSender(frameUrl: string | undefined | null, origin: string): boolean {
  if (!frameUrl) return false;
  const url = parse(frameUrl);
  return url !== null && originOf(url) === origin;
}
