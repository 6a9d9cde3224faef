import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** One Apple MDM channel of a device: 'device', or 'user:<UserID>' on macOS. */
export interface ChannelRow {
  device_id: string;
  channel: string;
  user_id_apple: string | null;
  user_short_name: string | null;
  user_long_name: string | null;
  topic: string;
  push_magic: string | null;
  token_hex: string | null;
  unlock_token: string | null;
  bootstrap_token: string | null;
  cert_serial: string | null;
  enabled: 0 | 1;
  authenticated_at: string | null;
  token_updated_at: string | null;
  last_seen_at: string | null;
  push_disabled_reason: string | null;
}

/** A queued or finished MDM command. */
export interface CommandRow {
  uuid: string;
  device_id: string;
  channel: string;
  request_type: string;
  command: string;
  status: 'queued' | 'sent' | 'notnow' | 'acknowledged' | 'error' | 'format_error' | 'cancelled';
  result: string | null;
  error_chain: string | null;
  created_by: string;
  created_at: string;
  sent_at: string | null;
  completed_at: string | null;
  /**
   * JSON naming what to render when the device fetches the command (a configuration profile: its secrets and one-time
   * SCEP challenge are never stored here); null for a command whose body is `command`.
   */
  render: string | null;
}

/** The SQL behind MDM channels and the command queue. */
export interface MdmStore {
  channel(deviceId: string, channel: string): ChannelRow | undefined;
  channels(deviceId: string): ChannelRow[];
  upsertChannel(row: ChannelRow): void;
  updateChannel(deviceId: string, channel: string, changes: Partial<ChannelRow>): void;
  /** Disables every channel of a device (retire, check-out). */
  disableChannels(deviceId: string, reason: string): void;
  insertCommand(row: CommandRow): void;
  command(uuid: string): CommandRow | undefined;
  updateCommand(uuid: string, changes: Partial<CommandRow>): void;
  /**
   * The oldest command still to deliver on a channel; with `skipDeferred`, commands the device answered NotNow
   * are left out (for the rest of a connection after a NotNow).
   */
  nextCommand(deviceId: string, channel: string, skipDeferred: boolean): CommandRow | undefined;
  commands(deviceId: string, limit: number): CommandRow[];
  /** The newest ProfileList of a device that was not cancelled (queued, sent or answered), if any. */
  lastProfileList(deviceId: string): CommandRow | undefined;
  /**
   * Active iPhones, iPads and Macs with an enabled device channel whose newest ProfileList (not cancelled) was queued
   * before `before`, or that never had one: the daily profile check.
   */
  profileListsDue(before: string, limit: number): string[];
  /** Cancels everything not yet finished on a channel (a new Authenticate starts over). */
  cancelPending(deviceId: string, channel: string, at: string): number;
}

const CHANNEL_COLUMNS = [
  'user_id_apple',
  'user_short_name',
  'user_long_name',
  'topic',
  'push_magic',
  'token_hex',
  'unlock_token',
  'bootstrap_token',
  'cert_serial',
  'enabled',
  'authenticated_at',
  'token_updated_at',
  'last_seen_at',
  'push_disabled_reason',
] as const;
const COMMAND_COLUMNS = ['status', 'result', 'error_chain', 'sent_at', 'completed_at'] as const;

/** Builds the MDM store over an open database. */
export function createMdmStore(db: Db): MdmStore {
  const s = {
    channel: db.prepare<[string, string], ChannelRow>('SELECT * FROM mdm_channels WHERE device_id = ? AND channel = ?'),
    channels: db.prepare<[string], ChannelRow>('SELECT * FROM mdm_channels WHERE device_id = ? ORDER BY channel'),
    upsert: db.prepare(`INSERT INTO mdm_channels (device_id, channel, ${CHANNEL_COLUMNS.join(', ')})
      VALUES (@device_id, @channel, ${CHANNEL_COLUMNS.map((c) => `@${c}`).join(', ')})
      ON CONFLICT(device_id, channel) DO UPDATE SET ${CHANNEL_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`),
    disable: db.prepare('UPDATE mdm_channels SET enabled = 0, push_disabled_reason = ? WHERE device_id = ?'),
    insertCommand:
      db.prepare(`INSERT INTO mdm_commands (uuid, device_id, channel, request_type, command, status, result, error_chain, created_by, created_at, sent_at, completed_at, render)
      VALUES (@uuid, @device_id, @channel, @request_type, @command, @status, @result, @error_chain, @created_by, @created_at, @sent_at, @completed_at, @render)`),
    lastProfileList: db.prepare<[string], CommandRow>(
      `SELECT * FROM mdm_commands WHERE device_id = ? AND request_type = 'ProfileList' AND status != 'cancelled' ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ),
    profileListsDue: db.prepare<[string, number], { id: string }>(
      `SELECT d.id FROM devices d JOIN mdm_channels c ON c.device_id = d.id AND c.channel = 'device' AND c.enabled = 1
       WHERE d.deleted_at IS NULL AND d.status = 'active' AND d.platform IN ('ios', 'macos')
         AND NOT EXISTS (SELECT 1 FROM mdm_commands m WHERE m.device_id = d.id AND m.request_type = 'ProfileList'
                         AND m.status != 'cancelled' AND m.created_at >= ?)
       ORDER BY d.id LIMIT ?`,
    ),
    command: db.prepare<[string], CommandRow>('SELECT * FROM mdm_commands WHERE uuid = ?'),
    commands: db.prepare<[string, number], CommandRow>(
      'SELECT * FROM mdm_commands WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
    ),
    next: db.prepare<[string, string], CommandRow>(
      `SELECT * FROM mdm_commands WHERE device_id = ? AND channel = ? AND status IN ('queued', 'sent', 'notnow') ORDER BY created_at, rowid LIMIT 1`,
    ),
    nextNotDeferred: db.prepare<[string, string], CommandRow>(
      `SELECT * FROM mdm_commands WHERE device_id = ? AND channel = ? AND status IN ('queued', 'sent') ORDER BY created_at, rowid LIMIT 1`,
    ),
    cancel: db.prepare(
      `UPDATE mdm_commands SET status = 'cancelled', completed_at = ? WHERE device_id = ? AND channel = ? AND status IN ('queued', 'sent', 'notnow')`,
    ),
    updateChannel: partialUpdate(db, 'mdm_channels', CHANNEL_COLUMNS, ['device_id', 'channel']),
    updateCommand: partialUpdate(db, 'mdm_commands', COMMAND_COLUMNS, ['uuid']),
  };
  return {
    channel: (d, c) => s.channel.get(d, c),
    channels: (d) => s.channels.all(d),
    upsertChannel: (row) => {
      s.upsert.run(row);
    },
    updateChannel: (deviceId, channel, changes) => {
      s.updateChannel({ device_id: deviceId, channel }, changes);
    },
    disableChannels: (deviceId, reason) => {
      s.disable.run(reason, deviceId);
    },
    insertCommand: (row) => {
      s.insertCommand.run(row);
    },
    command: (uuid) => s.command.get(uuid),
    updateCommand: (uuid, changes) => {
      s.updateCommand({ uuid }, changes);
    },
    nextCommand: (deviceId, channel, skipDeferred) =>
      (skipDeferred ? s.nextNotDeferred : s.next).get(deviceId, channel),
    commands: (deviceId, limit) => s.commands.all(deviceId, limit),
    lastProfileList: (deviceId) => s.lastProfileList.get(deviceId),
    profileListsDue: (before, limit) => s.profileListsDue.all(before, limit).map((r) => r.id),
    cancelPending: (deviceId, channel, at) => s.cancel.run(at, deviceId, channel).changes,
  };
}
