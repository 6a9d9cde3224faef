import { describe, expect, it } from 'vitest';
import { dockBeside } from './dock.js';

const SCREEN = { x: 0, y: 25, width: 1440, height: 875 };
const SIZE = { width: 400, height: 640, minWidth: 320 };
const overlaps = (a: { x: number; width: number }, b: { x: number; width: number }) =>
  a.x < b.x + b.width && b.x < a.x + a.width;

describe('dockBeside', () => {
  it('keeps its place when System Settings is not open', () => {
    expect(dockBeside(null, SCREEN, SIZE)).toBeNull();
  });

  it.each([
    ['System Settings on the left: to its right', { x: 100, y: 100, width: 715, height: 600 }, 827],
    ['System Settings on the right: to its left', { x: 700, y: 100, width: 715, height: 600 }, 288],
  ])('%s', (_name, settings, x) => {
    const bounds = dockBeside(settings, SCREEN, SIZE);
    expect(bounds).toEqual({ x, y: 100, width: 400, height: 640 });
    expect(overlaps(bounds!, settings)).toBe(false);
  });

  it('narrows itself rather than cover System Settings when the room is tight', () => {
    const settings = { x: 300, y: 25, width: 760, height: 700 };
    const bounds = dockBeside(settings, SCREEN, SIZE)!;
    expect(bounds.width).toBeLessThan(400);
    expect(bounds.width).toBeGreaterThanOrEqual(320);
    expect(overlaps(bounds, settings)).toBe(false);
  });

  it('stays inside the work area, top and bottom', () => {
    const bounds = dockBeside({ x: 50, y: 600, width: 700, height: 500 }, SCREEN, SIZE)!;
    expect(bounds.y + bounds.height).toBeLessThanOrEqual(SCREEN.y + SCREEN.height);
    expect(bounds.y).toBeGreaterThanOrEqual(SCREEN.y);
  });

  it('goes to the roomier edge when System Settings fills the screen', () => {
    const bounds = dockBeside({ x: 0, y: 25, width: 1440, height: 875 }, SCREEN, SIZE)!;
    expect(bounds.width).toBe(320);
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(1440);
  });
});
