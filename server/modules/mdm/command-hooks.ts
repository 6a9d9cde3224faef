import type { PlistDict, PlistValue } from '../../core/plist.js';

// What the MDM module tells the modules that queue commands of their own (configuration delivery), and asks of them.
// Declared here and wired in server/compose.ts, so mdm never imports the modules that build on it.

/** A command's final answer, as the device reported it. */
export interface CommandOutcome {
  deviceId: string;
  channel: string;
  uuid: string;
  requestType: string;
  /** Who queued it: 'system' for the enrollment's DeviceInformation, an admin's label, or a module's name. */
  createdBy: string;
  /** The `render` JSON the command was queued with; null for a stored command. */
  render: string | null;
  /** The command as stored (for a RemoveProfile: its Identifier). */
  command: PlistDict;
  status: 'Acknowledged' | 'Error' | 'CommandFormatError';
  /** The rest of the device's report (ProfileList, QueryResponses ...). */
  result: PlistDict;
  errorChain: PlistValue[] | null;
}

/** Follow-ups of the MDM module's events, implemented by configuration delivery. */
export interface CommandHooks {
  /** A command was answered for good; runs inside the report's transaction and may queue commands. */
  answered(outcome: CommandOutcome): void;
  /**
   * A Mac user's channel of an active device sent TokenUpdate; inside the transaction. True when commands were queued
   * (the device is then woken).
   */
  channelReady(deviceId: string, channel: string): boolean;
  /**
   * The Command dictionary of a command queued with `render`, made as the device fetches it (outside any
   * transaction); null when it no longer applies (the command is then cancelled and the next one handed out).
   */
  render(command: { uuid: string; deviceId: string; channel: string; render: string }): Promise<PlistDict | null>;
}

/** Hooks that do nothing (the MDM module alone, in tests that build it without delivery). */
export const NO_COMMAND_HOOKS: CommandHooks = Object.freeze({
  answered: () => undefined,
  channelReady: () => false,
  render: () => Promise.resolve(null),
});
