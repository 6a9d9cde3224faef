import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeviceDto, DeviceListQuery, DevicePage, DeviceSort } from '../../contract/devices.js';
import { AppError } from '../../core/errors.js';
import type { DeviceFilter, DeviceKey, DeviceListRow, DevicesStore } from './devices.store.js';

/** The console's view of a stored device. */
export function toDeviceDto(row: DeviceListRow): DeviceDto {
  return {
    id: row.id,
    platform: row.platform,
    status: row.status,
    userId: row.user_id,
    userEmail: row.user_email,
    userDisplayName: row.user_display_name,
    udid: row.udid,
    serialNumber: row.serial_number,
    hardwareId: row.hardware_id,
    deviceName: row.device_name,
    model: row.model,
    modelName: row.model_name,
    productName: row.product_name,
    osVersion: row.os_version,
    buildVersion: row.build_version,
    enrolledAt: row.enrolled_at,
    lastSeenAt: row.last_seen_at,
    statusReason: row.status_reason,
    apiLevel: row.api_level,
    manufacturer: row.manufacturer,
    openClaims: row.open_claims,
    reassignedTo: row.claim_grant_user_id
      ? { userId: row.claim_grant_user_id, email: row.grant_email, displayName: row.grant_display_name }
      : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Reads device records for the admin API. */
export interface DevicesService {
  /** A page by cursor (keyset) or, for older callers, by offset; a cursor from another list or tampered with is refused. */
  list(query: DeviceListQuery): DevicePage;
  get(id: string): DeviceDto;
  /** How many of a user's devices count against the device limit: the pending and the active ones. */
  inUse(userId: string): number;
}

/** Largest page of the devices list. */
export const MAX_DEVICE_PAGE = 500;

const CURSOR_VERSION = 2;
// A cursor is small (a sort key, an id, a tag); anything longer was not made here.
const MAX_CURSOR_LENGTH = 600;
const SORTS: readonly DeviceSort[] = ['lastSeen', 'name', 'enrolled'];

const cursorInvalid = (why: string) =>
  new AppError(
    'CURSOR_INVALID',
    `The page cursor is not valid (${why}); load the list again from the first page, without a cursor.`,
    { field: 'cursor' },
  );

/** Builds the devices read service; `cursorKey` signs the page cursors (a fresh key each start when absent). */
export function createDevicesService(deps: { store: DevicesStore; cursorKey?: Buffer }): DevicesService {
  const cursorKey = deps.cursorKey ?? randomBytes(32);

  // The tag binds a cursor to its list: the same filters, sort and direction, and nothing edited in between.
  const tag = (body: string) => createHmac('sha256', cursorKey).update(body).digest().subarray(0, 16);
  const listOf = (filter: DeviceFilter, sort: DeviceSort, desc: boolean) =>
    JSON.stringify([
      sort,
      desc,
      filter.status ?? null,
      filter.platform ?? null,
      filter.userId ?? null,
      filter.q ?? null,
      filter.seenFrom ?? null,
      filter.seenBefore ?? null,
    ]);

  // The cursor carries the position of the row it points after, so a page says where it starts without counting
  // the rows before it (devices added or removed above it meanwhile shift the real position; it is an indicator),
  // and the total its first page counted, so later pages do not count every matching device again.
  const encode = (list: string, key: DeviceKey, position: number, total: number): string => {
    const body = JSON.stringify([CURSOR_VERSION, key.key, key.id, position, total]);
    return `${Buffer.from(body).toString('base64url')}.${tag(`${list}\n${body}`).toString('base64url')}`;
  };

  const decode = (cursor: string, list: string): DeviceKey & { position: number; total: number } => {
    if (cursor.length > MAX_CURSOR_LENGTH) throw cursorInvalid('too long');
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/.exec(cursor);
    if (!m?.[1] || !m[2]) throw cursorInvalid('not a cursor of this list');
    const body = Buffer.from(m[1], 'base64url').toString('utf8');
    const given = Buffer.from(m[2], 'base64url');
    if (given.length !== 16 || !timingSafeEqual(given, tag(`${list}\n${body}`)))
      throw cursorInvalid('it was changed, or belongs to other filters, another sort or an earlier server start');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw cursorInvalid('unreadable');
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== 5 ||
      parsed[0] !== CURSOR_VERSION ||
      typeof parsed[1] !== 'string' ||
      typeof parsed[2] !== 'string' ||
      !Number.isSafeInteger(parsed[3]) ||
      (parsed[3] as number) < 0 ||
      !Number.isSafeInteger(parsed[4]) ||
      (parsed[4] as number) < 0
    )
      throw cursorInvalid('unreadable');
    return { key: parsed[1], id: parsed[2], position: parsed[3] as number, total: parsed[4] as number };
  };

  return {
    list(query) {
      const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_DEVICE_PAGE);
      const { limit: _l, offset, cursor, sort: askedSort, order, ...filter } = query;
      const sort = askedSort ?? 'lastSeen';
      if (!SORTS.includes(sort))
        throw new AppError('VALIDATION_FAILED', 'Sort by lastSeen, name or enrolled.', { field: 'sort' });
      const desc = order ? order === 'desc' : sort !== 'name';
      if (cursor !== undefined && offset !== undefined)
        throw new AppError('VALIDATION_FAILED', 'Page by cursor or by offset, not both.', { field: 'offset' });
      if (filter.seenFrom !== undefined && filter.seenBefore !== undefined && filter.seenFrom >= filter.seenBefore)
        throw new AppError('VALIDATION_FAILED', 'The last-seen range ends before it starts.', { field: 'seenBefore' });
      if (offset !== undefined) {
        const total = deps.store.count(filter);
        const items = deps.store.list(filter, { sort, desc }, limit, Math.max(offset, 0)).map(toDeviceDto);
        return { items, total, position: Math.max(offset, 0), nextCursor: null };
      }
      const list = listOf(filter, sort, desc);
      const after = cursor === undefined || cursor === '' ? null : decode(cursor, list);
      const order2 = { sort, desc };
      // One row more than asked says whether another page follows.
      const rows = deps.store.page(filter, order2, after, limit + 1);
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      // A first page that holds the whole list (a search that finds a few) is its own count.
      const total = after ? after.total : more ? deps.store.count(filter) : shown.length;
      const last = shown[shown.length - 1];
      const position = after?.position ?? 0;
      return {
        items: shown.map(toDeviceDto),
        total,
        position,
        nextCursor:
          more && last ? encode(list, { key: last.sort_key, id: last.id }, position + shown.length, total) : null,
      };
    },
    get(id) {
      const row = deps.store.byId(id);
      if (!row || row.deleted_at)
        throw new AppError('DEVICE_NOT_FOUND', 'No device has this id; the list may be out of date, reload it.', {
          id,
        });
      return toDeviceDto(row);
    },
    inUse(userId) {
      return deps.store.count({ userId, status: 'active' }) + deps.store.count({ userId, status: 'pending' });
    },
  };
}
