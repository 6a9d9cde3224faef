// Shows the tray menu model (tray-menu.ts) in Electron: a tray icon where the system has a tray, and the same items as
// the app menu's first menu, which every system shows. The actions are the caller's.
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { trayMenuModel, type TrayAction, type TrayItem, type TrayLocale, type TrayState } from './tray-menu.js';

/** The status menu the app holds: shown again whenever the state changes. */
export interface StatusMenu {
  update(state: TrayState): void;
  destroy(): void;
}

/** The Electron menu items for the model; choosing one runs `run(action)`. */
export function menuTemplate(items: TrayItem[], run: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'text':
        return { label: item.label, enabled: false };
      case 'checkbox':
        return { type: 'checkbox', label: item.label, checked: item.checked, click: () => run(item.action) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => run(item.action) };
    }
  });
}

/** A 16×16 dot drawn in code (the repository ships no icon files); a template image on macOS follows the menu bar. */
function dotIcon(): Electron.NativeImage {
  const size = 16;
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const inside = (x - 7.5) ** 2 + (y - 7.5) ** 2 <= 36;
      // BGRA: Tsunagu's teal; alpha 0 outside the dot.
      pixels.set(inside ? [0x88, 0x96, 0x00, 0xff] : [0, 0, 0, 0], (y * size + x) * 4);
    }
  const image = nativeImage.createFromBitmap(pixels, { width: size, height: size });
  if (process.platform === 'darwin') image.setTemplateImage(true);
  return image;
}

/** Creates the tray icon and the app menu for `locale`; `run` performs the chosen action. */
export function createStatusMenu(locale: TrayLocale, run: (action: TrayAction) => void): StatusMenu {
  let tray: Tray | null = null;
  try {
    tray = new Tray(dotIcon());
    tray.setToolTip('Tsunagu');
  } catch {
    // Some Linux desktops have no tray; the app menu still shows everything.
    tray = null;
  }
  return {
    update(state) {
      const template = menuTemplate(trayMenuModel(state, locale), run);
      tray?.setContextMenu(Menu.buildFromTemplate(template));
      Menu.setApplicationMenu(
        Menu.buildFromTemplate([
          { label: 'Tsunagu', submenu: template },
          { role: 'editMenu' },
          { role: 'viewMenu' },
          { role: 'windowMenu' },
        ]),
      );
    },
    destroy() {
      tray?.destroy();
      tray = null;
    },
  };
}
