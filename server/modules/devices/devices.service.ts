import type { DeviceDto, DevicePage, DeviceStatus, Platform } from '../../contract/devices.js';
import { AppError } from '../../core/errors.js';
import type { DeviceListRow, DevicesStore } from './devices.store.js';

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
  list(query: {
    status?: DeviceStatus;
    platform?: Platform;
    userId?: string;
    q?: string;
    limit?: number;
    offset?: number;
  }): DevicePage;
  get(id: string): DeviceDto;
  /** How many of a user's devices count against the device limit: the pending and the active ones. */
  inUse(userId: string): number;
}

/** Builds the devices read service. */
export function createDevicesService(deps: { store: DevicesStore }): DevicesService {
  return {
    list(query) {
      const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
      const { limit: _l, offset: _o, ...filter } = query;
      return {
        items: deps.store.list(filter, limit, Math.max(query.offset ?? 0, 0)).map(toDeviceDto),
        total: deps.store.count(filter),
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
