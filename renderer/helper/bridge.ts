// The helper window's bridge to its main process, as the helper preload (or a test harness) puts it on `window`.
import type { HelperBridge } from '../../server/contract/helper.js';

declare global {
  interface Window {
    /** Present only inside the Tsunagu Helper app (its preload) or a test harness. */
    tsunaguHelper?: HelperBridge;
  }
}

/** The bridge on `window.tsunaguHelper`, or null when this page runs outside the helper app (e.g. a browser). */
export function helperBridge(
  target: Pick<Window, 'tsunaguHelper'> | undefined = globalThis.window,
): HelperBridge | null {
  const bridge = target?.tsunaguHelper;
  if (
    typeof bridge !== 'object' ||
    bridge === null ||
    typeof bridge.screen !== 'function' ||
    typeof bridge.send !== 'function' ||
    typeof bridge.onScreen !== 'function'
  ) {
    return null;
  }
  return bridge;
}
