import type { DeviceSort, DeviceStatus, DeviceStatusReason, Platform } from '../../contract/devices.js';
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

/** The list's filters: all optional, all combined. */
export interface DeviceFilter {
  status?: DeviceStatus;
  platform?: Platform;
  userId?: string;
  q?: string;
  /** Last seen (or created, when never seen) at or after this ISO time. */
  seenFrom?: string;
  /** Last seen (or created, when never seen) before this ISO time. */
  seenBefore?: string;
}

/** Where a keyset page starts: after the row with this sort key and id, in the list's order. */
export interface DeviceKey {
  key: string;
  id: string;
}

/** The SQL expression of each sort key; the indexes of migration 010 are built on these exact expressions. */
export const SORT_KEYS: Readonly<Record<DeviceSort, string>> = Object.freeze({
  lastSeen: 'coalesce(d.last_seen_at, d.created_at)',
  name: "lower(coalesce(d.device_name, d.serial_number, d.udid, d.hardware_id, ''))",
  enrolled: "coalesce(d.enrolled_at, '')",
});

/** One status change of a device, from its audit trail. */
export interface DeviceHistoryRow {
  seq: number;
  at: string;
  action: string;
  actor_type: string;
  actor_label: string | null;
  details: string;
}

/** A certificate issued to a device, without its PEM. */
export interface DeviceCertificateRow {
  serial: string;
  subject: string;
  not_before: string;
  not_after: string;
  kind: string;
  purpose: 'mdm' | 'configuration';
  created_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

/** Reading device records, for everyone. */
export interface DeviceReads {
  byId(id: string): DeviceListRow | undefined;
  /** The live Apple device with this UDID. */
  byUdid(udid: string): DeviceRow | undefined;
  /** Devices by offset in the order of `sort` and `desc` (older callers; deep offsets scan what they skip). */
  list(
    filter: DeviceFilter,
    order: { sort: DeviceSort; desc: boolean },
    limit: number,
    offset: number,
  ): DeviceListRow[];
  /** Up to `limit` devices after `after` (from the start when null) in the order of `sort` and `desc`, id breaking ties. */
  page(
    filter: DeviceFilter,
    order: { sort: DeviceSort; desc: boolean },
    after: DeviceKey | null,
    limit: number,
  ): (DeviceListRow & { sort_key: string })[];
  /** The device's status changes and lifecycle events, newest first. */
  statusHistory(id: string, limit: number): DeviceHistoryRow[];
  /** The identity certificates issued to the device, newest first. */
  certificates(id: string, limit: number): DeviceCertificateRow[];
  /** Live Android devices with this hardware id, newest first. */
  byHardwareId(hardwareId: string): DeviceRow[];
  /** The device's last DeviceInformation answer as a JSON object text (`{}` before its first answer). */
  info(id: string): string;
  /** Live devices counted by status and by platform. */
  counts(): { status: DeviceStatus; platform: Platform; n: number }[];
  count(filter: DeviceFilter): number;
}

/** What the channel modules (MDM, the agent) may write: what the device reported, and when it was last seen. */
export interface DeviceReports extends DeviceReads {
  /** Stores what the device says about itself (only the given facts change), and optionally its full answer (JSON). */
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

/** The index that walks the live devices in each sort's order (migration 012). */
const SORT_INDEXES: Readonly<Record<DeviceSort, string>> = Object.freeze({
  lastSeen: 'devices_live_seen',
  name: 'devices_live_name',
  enrolled: 'devices_live_enrolled',
});

/** The rowids of the devices a search matches (deleted ones included: the caller leaves them out). */
function matching(q: string, p: Record<string, unknown>): string {
  const users =
    "SELECT rowid FROM devices INDEXED BY devices_live_user_seen WHERE deleted_at IS NULL AND user_id IN (SELECT id FROM users WHERE email LIKE @q ESCAPE '\\')";
  p.q = `%${q.replace(/[\\%_]/g, (x) => `\\${x}`)}%`;
  if ([...q].length >= 3) {
    // The trigram index (migration 012) finds the piece as a phrase, case-insensitively; quotes are doubled.
    p.phrase = `"${q.replace(/"/g, '""')}"`;
    return `SELECT rowid FROM devices_search WHERE devices_search MATCH @phrase UNION ALL ${users}`;
  }
  // Too short for trigrams: the search columns of every live device are read, from their own index (migration 015;
  // LIKE ignores ASCII case).
  const like = ['device_name', 'serial_number', 'udid', 'hardware_id', 'model_name']
    .map((c) => `${c} LIKE @q ESCAPE '\\'`)
    .join(' OR ');
  return `SELECT rowid FROM devices INDEXED BY devices_live_text WHERE deleted_at IS NULL AND (${like} OR user_id IN (SELECT id FROM users WHERE email LIKE @q ESCAPE '\\'))`;
}

function where(filter: DeviceFilter): {
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
  if (filter.seenFrom) {
    c.push(`${SORT_KEYS.lastSeen} >= @seenFrom`);
    p.seenFrom = filter.seenFrom;
  }
  if (filter.seenBefore) {
    c.push(`${SORT_KEYS.lastSeen} < @seenBefore`);
    p.seenBefore = filter.seenBefore;
  }
  if (filter.q) c.push(`d.rowid IN (${matching(filter.q, p)})`);
  return { sql: `WHERE ${c.join(' AND ')}`, params: p };
}

/**
 * How a list with only a search (and the last-seen window) reads the devices: along the index of its sort, keeping
 * the rows whose rowid the search matched, so a page of a common word stops after its rows instead of sorting every
 * match, and a count reads that index, not the table. Other filters have indexes of their own; SQLite picks those.
 */
function searchWalk(filter: DeviceFilter, sort: DeviceSort): string {
  return filter.q && !filter.status && !filter.platform && !filter.userId ? ` INDEXED BY ${SORT_INDEXES[sort]}` : '';
}

/** Builds the devices store over an open database. */
export function createDevicesStore(db: Db): DevicesStore {
  const insert =
    db.prepare(`INSERT INTO devices (id, platform, user_id, udid, serial_number, hardware_id, device_name, model, model_name, product_name, os_version, build_version, status, enrolled_at, last_seen_at, status_reason, api_level, manufacturer, enrollment_id, claim_grant_user_id, created_at, updated_at, deleted_at)
    VALUES (@id, @platform, @user_id, @udid, @serial_number, @hardware_id, @device_name, @model, @model_name, @product_name, @os_version, @build_version, @status, @enrolled_at, @last_seen_at, @status_reason, @api_level, @manufacturer, @enrollment_id, @claim_grant_user_id, @created_at, @updated_at, @deleted_at)`);
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
  const facts = partialUpdate(db, 'devices', [...FACT_COLUMNS, 'updated_at'], ['id']);
  const info = db.prepare<[string], { info: string }>('SELECT info FROM device_info WHERE device_id = ?');
  const saveInfo = db.prepare(
    `INSERT INTO device_info (device_id, info, updated_at) VALUES (@id, @info, @at)
     ON CONFLICT (device_id) DO UPDATE SET info = excluded.info, updated_at = excluded.updated_at`,
  );
  // Lifecycle events name the device as their subject (audit_events_subject); the rest of the trail is the audit page's.
  const history = db.prepare<[string, number], DeviceHistoryRow>(
    "SELECT seq, at, action, actor_type, actor_label, details FROM audit_events WHERE subject_id = ? AND action LIKE 'device.%' ORDER BY seq DESC LIMIT ?",
  );
  const certificates = db.prepare<[string, number], DeviceCertificateRow>(
    'SELECT serial, subject, not_before, not_after, kind, purpose, created_at, revoked_at, revoked_reason FROM issued_certificates WHERE device_id = ? ORDER BY created_at DESC, serial LIMIT ?',
  );
  // list/page/count SQL varies only with which filters are set, the sort and its direction (a few hundred shapes).
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
    recordFacts: (id, changes, at, answer) => {
      const known = Object.fromEntries(
        Object.entries(changes).filter(([k, v]) => (FACT_COLUMNS as readonly string[]).includes(k) && v !== undefined),
      );
      db.transaction(() => {
        facts({ id }, { ...known, updated_at: at });
        if (answer !== undefined) saveInfo.run({ id, info: answer, at });
      })();
    },
    touch: (id, at) => {
      touch.run({ id, at });
    },
    byId: (id) => byId.get(id),
    byUdid: (udid) => byUdid.get(udid),
    byHardwareId: (h) => byHardware.all(h),
    info: (id) => info.get(id)?.info ?? '{}',
    counts: () => counts.all(),
    list(filter, order, limit, offset) {
      const w = where(filter);
      const dir = order.desc ? 'DESC' : 'ASC';
      return prepare<Record<string, unknown>, DeviceListRow>(
        `${select} ${w.sql} ORDER BY ${SORT_KEYS[order.sort]} ${dir}, d.id ${dir} LIMIT @limit OFFSET @offset`,
      ).all({ ...w.params, limit, offset });
    },
    page(filter, order, after, limit) {
      const w = where(filter);
      const key = SORT_KEYS[order.sort];
      const dir = order.desc ? 'DESC' : 'ASC';
      const seek = after ? ` AND (${key}, d.id) ${order.desc ? '<' : '>'} (@afterKey, @afterId)` : '';
      // The page's rows are picked first by key alone, then joined: when the order needs a sort (a search), only the
      // keys of the matching devices are sorted, not every matching row with its users and claims (3x slower).
      return prepare<Record<string, unknown>, DeviceListRow & { sort_key: string }>(
        `WITH picked AS (SELECT d.rowid AS rid FROM devices d${searchWalk(filter, order.sort)} ${w.sql}${seek} ORDER BY ${key} ${dir}, d.id ${dir} LIMIT @limit)
        ${select.replace(' FROM devices d', `, ${key} AS sort_key FROM devices d`)} WHERE d.rowid IN (SELECT rid FROM picked) ORDER BY ${key} ${dir}, d.id ${dir}`,
      ).all({ ...w.params, ...(after ? { afterKey: after.key, afterId: after.id } : {}), limit });
    },
    statusHistory: (id, limit) => history.all(id, limit),
    certificates: (id, limit) => certificates.all(id, limit),
    count(filter) {
      const w = where(filter);
      return (
        prepare<Record<string, unknown>, { n: number }>(
          `SELECT count(*) AS n FROM devices d${searchWalk(filter, 'lastSeen')} ${w.sql}`,
        ).get(w.params)?.n ?? 0
      );
    },
  };
}
