// Sample API objects for the console's unit tests: one definition each, so a new DTO field is added once.
import type { ClaimConflictDto, DeviceDto } from '../../server/contract/index.js';

/** An Active iPhone of user A, numbered `n`; `extra` overrides any field. */
export function sampleDevice(n: number, extra: Partial<DeviceDto> = {}): DeviceDto {
  return {
    id: `d${n}`,
    platform: 'ios',
    status: 'active',
    userId: 'u1',
    userEmail: 'a@example.com',
    userDisplayName: 'A',
    udid: `UDID-${n}`,
    serialNumber: `SN${n}`,
    hardwareId: null,
    deviceName: `iPhone ${n}`,
    model: 'MQ0T3J/A',
    modelName: 'iPhone',
    productName: 'iPhone15,2',
    osVersion: '17.4',
    buildVersion: '21E219',
    enrolledAt: null,
    lastSeenAt: null,
    statusReason: null,
    apiLevel: null,
    manufacturer: 'Apple',
    openClaims: 0,
    reassignedTo: null,
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-01T00:00:00.000Z',
    ...extra,
  };
}

/** A refused claim on device d1 by user `u<n+1>`; `extra` overrides any field. */
export function sampleConflict(n: number, extra: Partial<ClaimConflictDto> = {}): ClaimConflictDto {
  return {
    id: `c${n}`,
    deviceId: 'd1',
    ownerUserId: 'u1',
    ownerEmail: 'a@example.com',
    claimantUserId: `u${n + 1}`,
    claimantEmail: `b${n}@example.com`,
    claimantDisplayName: `B${n}`,
    attempts: 1,
    createdAt: '2026-04-02T00:00:00.000Z',
    lastAttemptAt: '2026-04-02T00:00:00.000Z',
    ...extra,
  };
}
