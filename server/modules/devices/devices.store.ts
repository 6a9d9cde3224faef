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
  /** A user an admin allowed to claim this device next (re-enroll it for them, or reassign it). */
  claim_grant_user_id: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** A device row with its user's name, for lists. */
export type DeviceListRow = DeviceRow & {
  user_email: string | null;
  user_display_name: string | null;
  /** Open refused claims of the device (device_claim_conflicts). */
  open_claims: number;
  grant_email: string | null;
  grant_display_name: string | null;
};

/** What a device says about itself (check-ins, DeviceInformation answers, agent facts). */
export type DeviceFacts = Partial<
  Pick<
    DeviceRow,
    | 'device_name'
    | 'os_version'
    | 'build_version'
    | 'model'
    | 'model_name'
    | 'product_name'
    | 'serial_number'
    | 'api_level'
    | 'manufacturer'
  >
>;

const FACT_COLUMNS = [
  'device_name',
  'os_version',
  'build_version',
  'model',
  'model_name',
  'product_name',
  'serial_number',
  'api_level',
  'manufacturer',
] as const;

/** Reading device records, for everyone. */
export interface DeviceReads {
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

/** What the channel modules (MDM, the agent) may write: what the device reported, and when it was last seen. */
export interface DeviceReports extends DeviceReads {
  /** Stores what the device says about itself (only the given facts change), and optionally its full answer. */
  recordFacts(id: string, facts: DeviceFacts, at: string, info?: string): void;
  /** The device was in contact. */
  touch(id: string, at: string): void;
}

/**
 * The SQL behind device records. Status, user and binding change only through the lifecycle service
 * (device-lifecycle.service.ts), which decides each change from the transition table and audits it.
 */
export interface DevicesStore extends DeviceReports {
  insert(row: DeviceRow): void;
  /** Binds the record to an enrollment: its user, the enrollment, and the status that follows the claim. */
  bind(
    id: string,
    binding: { userId: string; enrollmentId: string; status: DeviceStatus; reason: DeviceStatusReason; at: string },
  ): void;
  /** Sets the status and why; `enrolledAt` when an enrollment completes. */
  setStatus(id: string, status: DeviceStatus, reason: DeviceStatusReason | null, at: string, enrolledAt?: string): void;
  /** Removes the record from the lists (its history stays in the audit trail). */
  markDeleted(id: string, at: string): void;
  /** Allows a user to claim the device next, or clears the grant (null). */
  grantClaim(id: string, userId: string | null, at: string): void;
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
    db.prepare(`INSERT INTO devices (id, platform, user_id, udid, serial_number, hardware_id, device_name, model, model_name, product_name, os_version, build_version, status, enrolled_at, last_seen_at, info, status_reason, api_level, manufacturer, enrollment_id, claim_grant_user_id, created_at, updated_at, deleted_at)
    VALUES (@id, @platform, @user_id, @udid, @serial_number, @hardware_id, @device_name, @model, @model_name, @product_name, @os_version, @build_version, @status, @enrolled_at, @last_seen_at, @info, @status_reason, @api_level, @manufacturer, @enrollment_id, @claim_grant_user_id, @created_at, @updated_at, @deleted_at)`);
  const select = `SELECT d.*, u.email AS user_email, u.display_name AS user_display_name,
      (SELECT count(*) FROM device_claim_conflicts c WHERE c.device_id = d.id AND c.resolved_at IS NULL) AS open_claims,
      g.email AS grant_email, g.display_name AS grant_display_name
    FROM devices d LEFT JOIN users u ON u.id = d.user_id LEFT JOIN users g ON g.id = d.claim_grant_user_id`;
  const byId = db.prepare<[string], DeviceListRow>(`${select} WHERE d.id = ?`);
  const byUdid = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE udid = ? AND deleted_at IS NULL');
  const byHardware = db.prepare<[string], DeviceRow>(
    "SELECT * FROM devices WHERE hardware_id = ? AND platform = 'android' AND deleted_at IS NULL ORDER BY created_at DESC, rowid DESC",
  );
  const counts = db.prepare<[], { status: DeviceStatus; platform: Platform; n: number }>(
    'SELECT status, platform, count(*) AS n FROM devices WHERE deleted_at IS NULL GROUP BY status, platform',
  );
  const bind = db.prepare(
    'UPDATE devices SET user_id = @userId, enrollment_id = @enrollmentId, status = @status, status_reason = @reason, claim_grant_user_id = NULL, last_seen_at = @at, updated_at = @at WHERE id = @id',
  );
  const setStatus = db.prepare(
    'UPDATE devices SET status = @status, status_reason = @reason, enrolled_at = coalesce(@enrolledAt, enrolled_at), updated_at = @at WHERE id = @id',
  );
  const markDeleted = db.prepare(
    "UPDATE devices SET deleted_at = @at, status_reason = 'deleted', updated_at = @at WHERE id = @id",
  );
  const grant = db.prepare('UPDATE devices SET claim_grant_user_id = @userId, updated_at = @at WHERE id = @id');
  const touch = db.prepare('UPDATE devices SET last_seen_at = @at WHERE id = @id');
  const facts = partialUpdate(db, 'devices', [...FACT_COLUMNS, 'info', 'updated_at'], ['id']);
  // list/count SQL varies only with which filters are set (at most 16 WHERE shapes each).
  const prepare = cachedPrepare(db);
  return {
    insert: (row) => {
      insert.run(row);
    },
    bind: (id, b) => {
      bind.run({ id, ...b });
    },
    setStatus: (id, status, reason, at, enrolledAt) => {
      setStatus.run({ id, status, reason, at, enrolledAt: enrolledAt ?? null });
    },
    markDeleted: (id, at) => {
      markDeleted.run({ id, at });
    },
    grantClaim: (id, userId, at) => {
      grant.run({ id, userId, at });
    },
    recordFacts: (id, changes, at, info) => {
      const known = Object.fromEntries(
        Object.entries(changes).filter(([k, v]) => (FACT_COLUMNS as readonly string[]).includes(k) && v !== undefined),
      );
      facts({ id }, { ...known, ...(info === undefined ? {} : { info }), updated_at: at });
    },
    touch: (id, at) => {
      touch.run({ id, at });
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
