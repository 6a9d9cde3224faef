import type { DeliveryState } from '../../contract/configurations.js';
import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** One configuration on one device channel ('device', 'user:<UserID>' or 'agent'). */
export interface DeviceConfigurationRow {
  device_id: string;
  channel: string;
  configuration_id: string;
  /** The version that should be installed; null while (or once) it is removed. */
  desired_version: number | null;
  installed_version: number | null;
  state: DeliveryState;
  /** The MDM command under way for this row (install or removal), if any. */
  command_uuid: string | null;
  /** The last failure in words. */
  error: string | null;
  updated_at: string;
}

/** A row with the device and user it is on, for a configuration's detail page. */
export type DeviceConfigurationListRow = DeviceConfigurationRow & {
  device_name: string | null;
  platform: string;
  user_email: string | null;
};

/** The SQL behind device_configurations, its only writer. */
export interface DeliveryStore {
  get(deviceId: string, channel: string, configurationId: string): DeviceConfigurationRow | undefined;
  /** Every row of a device, removed ones included. */
  ofDevice(deviceId: string): DeviceConfigurationRow[];
  /** The row whose command is `uuid`, on that device. */
  byCommand(deviceId: string, uuid: string): DeviceConfigurationRow | undefined;
  /** Every row of a configuration with its device's name and platform and its user's email (live devices only). */
  ofConfiguration(configurationId: string): DeviceConfigurationListRow[];
  /** Rows not removed, by configuration and state. */
  counts(): { configuration_id: string; state: DeliveryState; n: number }[];
  /** Devices with a row for the configuration that is not removed. */
  devicesWith(configurationId: string): string[];
  /** Live, active devices (any platform): the ones a configuration may reach. */
  activeDevices(): string[];
  upsert(row: DeviceConfigurationRow): void;
  update(deviceId: string, channel: string, configurationId: string, changes: Partial<DeviceConfigurationRow>): void;
  /** Marks every row of a device removed (its enrollment is gone, and what it installed with it); returns how many. */
  endDevice(deviceId: string, at: string): number;
}

const COLUMNS = ['desired_version', 'installed_version', 'state', 'command_uuid', 'error', 'updated_at'] as const;

/** Builds the delivery store over an open database. */
export function createDeliveryStore(db: Db): DeliveryStore {
  const s = {
    get: db.prepare<[string, string, string], DeviceConfigurationRow>(
      'SELECT * FROM device_configurations WHERE device_id = ? AND channel = ? AND configuration_id = ?',
    ),
    ofDevice: db.prepare<[string], DeviceConfigurationRow>(
      'SELECT * FROM device_configurations WHERE device_id = ? ORDER BY configuration_id, channel',
    ),
    byCommand: db.prepare<[string, string], DeviceConfigurationRow>(
      'SELECT * FROM device_configurations WHERE device_id = ? AND command_uuid = ?',
    ),
    ofConfiguration: db.prepare<[string], DeviceConfigurationListRow>(
      `SELECT dc.*, d.device_name, d.platform, u.email AS user_email
       FROM device_configurations dc JOIN devices d ON d.id = dc.device_id LEFT JOIN users u ON u.id = d.user_id
       WHERE dc.configuration_id = ? AND d.deleted_at IS NULL
       ORDER BY dc.state = 'removed', d.device_name, dc.device_id, dc.channel`,
    ),
    counts: db.prepare<[], { configuration_id: string; state: DeliveryState; n: number }>(
      `SELECT configuration_id, state, count(*) AS n FROM device_configurations WHERE state != 'removed'
       GROUP BY configuration_id, state`,
    ),
    devicesWith: db.prepare<[string], { device_id: string }>(
      `SELECT DISTINCT device_id FROM device_configurations WHERE configuration_id = ? AND state != 'removed'`,
    ),
    activeDevices: db.prepare<[], { id: string }>(
      `SELECT id FROM devices WHERE status = 'active' AND deleted_at IS NULL ORDER BY id`,
    ),
    upsert: db.prepare(`INSERT INTO device_configurations (device_id, channel, configuration_id, ${COLUMNS.join(', ')})
      VALUES (@device_id, @channel, @configuration_id, ${COLUMNS.map((c) => `@${c}`).join(', ')})
      ON CONFLICT(device_id, channel, configuration_id) DO UPDATE SET ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`),
    endDevice: db.prepare(
      `UPDATE device_configurations SET state = 'removed', desired_version = NULL, installed_version = NULL,
         command_uuid = NULL, updated_at = ? WHERE device_id = ? AND state != 'removed'`,
    ),
    update: partialUpdate(db, 'device_configurations', COLUMNS, ['device_id', 'channel', 'configuration_id']),
  };
  return {
    get: (d, c, id) => s.get.get(d, c, id),
    ofDevice: (d) => s.ofDevice.all(d),
    byCommand: (d, uuid) => s.byCommand.get(d, uuid),
    ofConfiguration: (id) => s.ofConfiguration.all(id),
    counts: () => s.counts.all(),
    devicesWith: (id) => s.devicesWith.all(id).map((r) => r.device_id),
    activeDevices: () => s.activeDevices.all().map((r) => r.id),
    upsert: (row) => {
      s.upsert.run(row);
    },
    update: (deviceId, channel, configurationId, changes) => {
      s.update({ device_id: deviceId, channel, configuration_id: configurationId }, changes);
    },
    endDevice: (deviceId, at) => s.endDevice.run(at, deviceId).changes,
  };
}
