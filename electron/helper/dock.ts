// Where the helper's window goes so that it sits beside System Settings and never covers it.
import type { WindowBounds } from './platform-port.js';

/** The gap between System Settings and the helper, in points. */
const GAP = 12;

/**
 * Bounds for the helper window (`size`) beside System Settings (`settings`) inside the screen's work area: to its
 * right when there is room, else to its left, else the side with more room, narrowed (not below `minWidth`) so it does
 * not overlap. Without System Settings on screen, the helper keeps its place (null).
 */
export function dockBeside(
  settings: WindowBounds | null,
  workArea: WindowBounds,
  size: { width: number; height: number; minWidth: number },
): WindowBounds | null {
  if (settings === null) return null;
  const height = Math.min(size.height, workArea.height);
  const y = Math.min(Math.max(settings.y, workArea.y), workArea.y + workArea.height - height);
  const rightRoom = workArea.x + workArea.width - (settings.x + settings.width + GAP);
  const leftRoom = settings.x - GAP - workArea.x;
  if (rightRoom >= size.width) return { x: settings.x + settings.width + GAP, y, width: size.width, height };
  if (leftRoom >= size.width) return { x: settings.x - GAP - size.width, y, width: size.width, height };
  const right = rightRoom >= leftRoom;
  const room = Math.max(rightRoom, leftRoom);
  if (room >= size.minWidth) {
    return right
      ? { x: settings.x + settings.width + GAP, y, width: room, height }
      : { x: workArea.x, y, width: room, height };
  }
  // No room on either side: the narrowest helper at the screen's edge, over as little of System Settings as can be.
  const width = size.minWidth;
  return right ? { x: workArea.x + workArea.width - width, y, width, height } : { x: workArea.x, y, width, height };
}
