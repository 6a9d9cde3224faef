import type { PlistDict } from '../../core/plist.js';
import { flag, invalid, text, type PayloadIds } from './payload-values.js';

/** Largest web clip icon accepted, in bytes; Apple recommends 180 by 180 pixels, a few KiB. */
export const WEBCLIP_ICON_MAX_BYTES = 256 * 1024;
/** Largest icon side in pixels. */
export const WEBCLIP_ICON_MAX_PIXELS = 1024;

/** What an admin enters for a web clip (a Home Screen or Dock link to a web page). */
export interface WebClipInput {
  /** An https:// address without user name or password, at most 2048 characters. */
  url: string;
  /** The name under the icon, 1 to 64 characters. */
  label: string;
  /** A PNG image, at most WEBCLIP_ICON_MAX_BYTES and WEBCLIP_ICON_MAX_PIXELS on each side. */
  icon?: Buffer;
  /** iOS: whether the user may delete it (`IsRemovable`); true unless said otherwise. macOS ignores it. */
  removable?: boolean;
  /** iOS: open as a full-screen web app (`FullScreen`). */
  fullScreen?: boolean;
}

const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

/** Checks that `icon` is a PNG of bounded size (signature, IHDR first, sensible dimensions). */
function checkIcon(icon: unknown): Buffer {
  if (!Buffer.isBuffer(icon)) throw invalid('icon', 'type', 'The icon must be a PNG image.');
  if (icon.length > WEBCLIP_ICON_MAX_BYTES)
    throw invalid(
      'icon',
      'length',
      `The icon is larger than ${WEBCLIP_ICON_MAX_BYTES / 1024} KiB; use a smaller PNG (180 by 180 pixels is enough).`,
    );
  if (icon.length < 33 || !icon.subarray(0, 8).equals(PNG_SIGNATURE) || icon.toString('latin1', 12, 16) !== 'IHDR')
    throw invalid('icon', 'format', 'The icon is not a PNG image; save it as PNG and upload it again.');
  const width = icon.readUInt32BE(16);
  const height = icon.readUInt32BE(20);
  if (width < 1 || height < 1 || width > WEBCLIP_ICON_MAX_PIXELS || height > WEBCLIP_ICON_MAX_PIXELS)
    throw invalid(
      'icon',
      'range',
      `The icon must be at most ${WEBCLIP_ICON_MAX_PIXELS} by ${WEBCLIP_ICON_MAX_PIXELS} pixels.`,
    );
  return icon;
}

/** Checks a web clip and returns it in canonical form; CONFIGURATION_INVALID names the field otherwise. */
export function checkWebClip(input: WebClipInput): WebClipInput {
  const raw = text('url', input.url, 1, 2048);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url', 'format', 'Enter a full address that starts with https://.');
  }
  if (url.protocol !== 'https:') throw invalid('url', 'format', 'Web clips must open an https:// address.');
  if (url.username || url.password)
    throw invalid('url', 'format', 'The address must not contain a user name or password.');
  const out: WebClipInput = {
    url: url.href,
    label: text('label', input.label, 1, 64),
    removable: flag('removable', input.removable, true),
    fullScreen: flag('fullScreen', input.fullScreen, false),
  };
  if (input.icon !== undefined) out.icon = checkIcon(input.icon);
  return out;
}

/** The `com.apple.webClip.managed` payload; `target` leaves out the keys macOS does not know. */
export function webClipPayload(input: WebClipInput, ids: PayloadIds, target: 'ios' | 'macos'): PlistDict {
  const w = checkWebClip(input);
  const payload: PlistDict = {
    PayloadType: 'com.apple.webClip.managed',
    PayloadIdentifier: ids.identifier,
    PayloadUUID: ids.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: ids.displayName,
    URL: w.url,
    Label: w.label,
  };
  if (w.icon) payload.Icon = w.icon;
  if (target === 'ios') {
    payload.IsRemovable = w.removable ?? true;
    payload.FullScreen = w.fullScreen ?? false;
  }
  return payload;
}
