// Wording shared by the configuration pages and the device detail: which channel of a device a configuration is on.
import type { DeviceDetailDto } from '../../server/contract/index.js';

/** A delivery channel as words: the device, a Mac user (by short name when known) or the Android agent. */
export type ChannelWords =
  | { key: 'configurations.channel.device' }
  | { key: 'configurations.channel.agent' }
  | { key: 'configurations.channel.user'; name: string };

/** How to word `channel` ('device', 'user:<UserID>', 'agent'), naming a Mac user from the device's channels. */
export function channelWords(channel: string, channels: DeviceDetailDto['channels'] = []): ChannelWords {
  if (channel === 'device') return { key: 'configurations.channel.device' };
  if (channel === 'agent') return { key: 'configurations.channel.agent' };
  const known = channels.find((c) => c.channel === channel);
  const name = known?.userShortName ?? channel.replace(/^user:/, '');
  return { key: 'configurations.channel.user', name };
}
