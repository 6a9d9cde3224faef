import type { DeviceStatus, DeviceStatusReason, Platform } from '../../contract/devices.js';
import type { Db } from '../../db/open.js';
import { cachedPrepare, partialUpdate } from '../../db/partial-update.js';

/** A device row as stored. */
export interface DeviceRow {
  id: string;
  platform: Platform;
  user_id: string | null;
  udid: string | null;
  serial_number: string | null;
  hardware_id: string | null;
  device_name: string | null;
  model: string | null;
  model_name: string | null;
  product_name: string | null;
  os_version: string | null;
  build_version: string | null;
  status: DeviceStatus;
  enrolled_at: string | null;
  last_seen_at: string | null;
  info: string;
  status_reason: DeviceStatusReason | null;
  api_level: number | null;
  manufacturer: string | null;
  enrollment_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** A device row with its user's name, for lists. */
export type DeviceListRow = DeviceRow & { user_email: string | null; user_display_name: string | null };

const UPDATABLE = [
  'user_id',
  'udid',
  'serial_number',
  'hardware_id',
  'device_name',
  'model',
  'model_name',
  'product_name',
  'os_version',
  'build_version',
  'status',
  'enrolled_at',
  'last_seen_at',
  'info',
  'status_reason',
  'api_level',
  'manufacturer',
  'enrollment_id',
  'updated_at',
  'deleted_at',
] as const;

/** The SQL behind device records. */
export interface DevicesStore {
  insert(row: DeviceRow): void;
  update(id: string, changes: Partial<DeviceRow>): void;
  byId(id: string): DeviceListRow | undefined;
  /** The live Apple device with this UDID. */
  byUdid(udid: string): DeviceRow | undefined;
  list(
    filter: { status?: DeviceStatus; platform?: Platform; userId?: string; q?: string },
    limit: number,
    offset: number,
  ): DeviceListRow[];
  /** Live Android devices with this hardware id, newest first. */
  byHardwareId(hardwareId: string): DeviceRow[];
  /** Live devices counted by status and by platform. */
  counts(): { status: DeviceStatus; platform: Platform; n: number }[];
  count(filter: { status?: DeviceStatus; platform?: Platform; userId?: string; q?: string }): number;
}

function where(filter: { status?: DeviceStatus; platform?: Platform; userId?: string; q?: string }): {
  sql: string;
  params: Record<string, unknown>;
} {
  const c = ['d.deleted_at IS NULL'];
  const p: Record<string, unknown> = {};
  if (filter.status) {
    c.push('d.status = @status');
    p.status = filter.status;
  }
  if (filter.platform) {
    c.push('d.platform = @platform');
    p.platform = filter.platform;
  }
  if (filter.userId) {
    c.push('d.user_id = @userId');
    p.userId = filter.userId;
  }
  if (filter.q) {
    c.push(
      "(lower(coalesce(d.device_name, '')) LIKE @q ESCAPE '\\' OR lower(coalesce(d.serial_number, '')) LIKE @q ESCAPE '\\' OR lower(coalesce(d.udid, '')) LIKE @q ESCAPE '\\' OR lower(coalesce(d.hardware_id, '')) LIKE @q ESCAPE '\\' OR lower(coalesce(u.email, '')) LIKE @q ESCAPE '\\' OR lower(coalesce(d.model_name, '')) LIKE @q ESCAPE '\\')",
    );
    p.q = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (x) => `\\${x}`)}%`;
  }
  return { sql: `WHERE ${c.join(' AND ')}`, params: p };
}

/** Builds the devices store over an open database. */
export function createDevicesStore(db: Db): DevicesStore {
  const insert =
    db.prepare(`INSERT INTO devices (id, platform, user_id, udid, serial_number, hardware_id, device_name, model, model_name, product_name, os_version, build_version, status, enrolled_at, last_seen_at, info, status_reason, api_level, manufacturer, enrollment_id, created_at, updated_at, deleted_at)
    VALUES (@id, @platform, @user_id, @udid, @serial_number, @hardware_id, @device_name, @model, @model_name, @product_name, @os_version, @build_version, @status, @enrolled_at, @last_seen_at, @info, @status_reason, @api_level, @manufacturer, @enrollment_id, @created_at, @updated_at, @deleted_at)`);
  const select =
    'SELECT d.*, u.email AS user_email, u.display_name AS user_display_name FROM devices d LEFT JOIN users u ON u.id = d.user_id';
  const byId = db.prepare<[string], DeviceListRow>(`${select} WHERE d.id = ?`);
  const byUdid = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE udid = ? AND deleted_at IS NULL');
  const byHardware = db.prepare<[string], DeviceRow>(
    "SELECT * FROM devices WHERE hardware_id = ? AND platform = 'android' AND deleted_at IS NULL ORDER BY created_at DESC, rowid DESC",
  );
  const counts = db.prepare<[], { status: DeviceStatus; platform: Platform; n: number }>(
    'SELECT status, platform, count(*) AS n FROM devices WHERE deleted_at IS NULL GROUP BY status, platform',
  );
  const update = partialUpdate(db, 'devices', UPDATABLE, ['id']);
  // list/count SQL varies only with which filters are set (at most 16 WHERE shapes each).
  const prepare = cachedPrepare(db);
  return {
    insert: (row) => {
      insert.run(row);
    },
    update: (id, changes) => {
      update({ id }, changes);
    },
    byId: (id) => byId.get(id),
    byUdid: (udid) => byUdid.get(udid),
    byHardwareId: (h) => byHardware.all(h),
    counts: () => counts.all(),
    list(filter, limit, offset) {
      const w = where(filter);
      return prepare<Record<string, unknown>, DeviceListRow>(
        `${select} ${w.sql} ORDER BY coalesce(d.last_seen_at, d.created_at) DESC, d.id LIMIT @limit OFFSET @offset`,
      ).all({ ...w.params, limit, offset });
    },
    count(filter) {
      const w = where(filter);
      return (
        prepare<Record<string, unknown>, { n: number }>(
          `SELECT count(*) AS n FROM devices d LEFT JOIN users u ON u.id = d.user_id ${w.sql}`,
        ).get(w.params)?.n ?? 0
      );
    },
  };
}
