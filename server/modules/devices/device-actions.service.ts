import QRCode from 'qrcode';
import type {
  DeviceActionRequest,
  DeviceActionResult,
  DeviceDetailDto,
  DeviceHistoryEntryDto,
  DeviceReenrollDto,
  DeviceSummaryDto,
  DeviceStatus,
  Platform,
} from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import type { DomainEvents } from '../../core/events.js';
import { AppError, isAppError } from '../../core/errors.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import { enrollmentProfileIdentifier } from '../profiles/enrollment-profile.js';
import type { AgentChannel, AppleChannel } from './device-channels.js';
import { toClaimConflictDto } from './claim-conflicts.js';
import type { DeviceLifecycle } from './device-lifecycle.service.js';
import type { DeviceHistoryRow, DeviceListRow, DeviceReads } from './devices.store.js';

/** Largest number of devices one bulk action may touch. */
export const MAX_BULK = 500;

/** The admin's actions on devices (retire, wipe, lock, delete, single and bulk), details and summary counts. */
export interface DeviceActionsService {
  act(request: DeviceActionRequest, actor: Actor, sourceAddress: string | null): DeviceActionResult;
  detail(deviceId: string): DeviceDetailDto;
  summary(): DeviceSummaryDto;
  /**
   * Re-enrolls a device without clearing its entry first: a new enrollment for its user (Apple: a profile URL;
   * Android: an agent QR payload) that does not count against the device limit, since it replaces this device.
   */
  reenroll(deviceId: string, actor: Actor, sourceAddress: string | null): Promise<DeviceReenrollDto>;
  /** A device's identity stopped being valid outside our control (APNs says its token is dead): Reset. */
  markReset(deviceId: string, detail: string): void;
  /** Lets a user enroll the device next (the device moves to them when they do); resolves their refused claims. */
  reassign(deviceId: string, userId: string, actor: Actor, sourceAddress: string | null): DeviceDetailDto;
  /** Dismisses a refused claim: the device stays with its user. */
  dismissClaim(deviceId: string, conflictId: string, actor: Actor, sourceAddress: string | null): DeviceDetailDto;
  /** APNs said a channel's token is dead: a dead device channel means the device was reset. */
  onPushTokenGone(event: DomainEvents['push.token_gone']): void;
  /** An enrollment was abandoned during the profile install: its device stops being managed, and turns Inactive if it never enrolled. */
  onEnrollmentAbandoned(event: DomainEvents['enrollment.abandoned']): void;
}

/** Dependencies of the device actions. */
export interface DeviceActionsDeps {
  devices: DeviceReads;
  /** The one writer of device status, user and binding. */
  lifecycle: DeviceLifecycle;
  /** Users a device may be reassigned to. */
  users: { byId(id: string): { disabled: 0 | 1; deleted_at: string | null } | undefined };
  /** Apple devices' MDM commands (the mdm module). */
  mdm: AppleChannel;
  /** Android devices' agent actions (the agent module). */
  agent: AgentChannel;
  serverId: () => string;
  enrollment: EnrollmentService;
  /** Enrollments that completed per UTC day since `from`. */
  enrollmentsPerDay: (from: string) => { day: string; count: number }[];
  audit: AuditService;
  clock: Clock;
  transaction: <T>(fn: () => T) => T;
}

const STATUSES: DeviceStatus[] = ['pending', 'active', 'inactive', 'wiped', 'reset'];
const PLATFORMS: Platform[] = ['ios', 'macos', 'android'];

const isStatus = (v: unknown): v is DeviceStatus => typeof v === 'string' && (STATUSES as string[]).includes(v);

/** A lifecycle event of the audit trail as the detail shows it: when, what, who, and the status change if any. */
function toHistoryEntry(row: DeviceHistoryRow): DeviceHistoryEntryDto {
  let details: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.details);
    if (parsed && typeof parsed === 'object') details = parsed as Record<string, unknown>;
  } catch {
    // An unreadable details column still shows the event itself.
  }
  return {
    at: row.at,
    action: row.action,
    actorType: row.actor_type,
    actorLabel: row.actor_label,
    from: isStatus(details.from) ? details.from : null,
    to: isStatus(details.to) ? details.to : null,
  };
}

/** Builds the device actions service. */
export function createDeviceActionsService(deps: DeviceActionsDeps): DeviceActionsService {
  const { devices, mdm, agent, audit, clock, lifecycle, transaction } = deps;

  const live = (id: string): DeviceListRow => {
    const row = devices.byId(id);
    if (!row || row.deleted_at)
      throw new AppError('DEVICE_NOT_FOUND', 'No device has this id; the list may be out of date.', { id });
    return row;
  };

  const subject = (d: DeviceListRow) => ({
    type: 'device',
    id: d.id,
    label: d.device_name ?? d.serial_number ?? d.udid ?? d.hardware_id,
  });

  const one = (device: DeviceListRow, request: DeviceActionRequest, actor: Actor, sourceAddress: string | null) => {
    const apple = device.platform !== 'android';
    const details = { platform: device.platform, status: device.status, userId: device.user_id };
    switch (request.action) {
      case 'delete': {
        transaction(() => {
          if (apple) mdm.shutDown(device.id, 'deleted');
          else agent.shutDown(device.id, 'deleted');
          // The record leaves the list; what it was stays in the audit trail.
          lifecycle.remove(device, {
            actor,
            details: {
              ...details,
              udid: device.udid,
              serialNumber: device.serial_number,
              hardwareId: device.hardware_id,
              model: device.model_name ?? device.model,
              osVersion: device.os_version,
              user: device.user_email,
            },
            sourceAddress,
          });
        });
        return {};
      }
      case 'retire': {
        if (device.status === 'inactive' || device.status === 'wiped')
          throw new AppError('COMMAND_INVALID', `This device is already ${device.status}.`, { field: 'action' });
        if (device.status === 'pending' || device.status === 'reset') {
          // Nothing on the device answers any more: retire on the server side only.
          transaction(() => {
            if (apple) mdm.shutDown(device.id, 'retired');
            else agent.shutDown(device.id, 'retired');
            lifecycle.change(device, 'retire', { actor, details: { ...details, onServerOnly: true }, sourceAddress });
          });
          return {};
        }
        if (apple) {
          const cmd = mdm.enqueue(
            device.id,
            { type: 'RemoveProfile', identifier: enrollmentProfileIdentifier(deps.serverId()) },
            actor,
            sourceAddress,
          );
          audit.record({
            actor,
            action: 'device.retire_requested',
            subject: subject(device),
            details: { ...details, command: cmd.uuid },
            sourceAddress,
          });
          return { commandUuid: cmd.uuid };
        }
        const a = agent.queue(device.id, 'retire', {}, actor, sourceAddress);
        audit.record({
          actor,
          action: 'device.retire_requested',
          subject: subject(device),
          details: { ...details, agentAction: a.id },
          sourceAddress,
        });
        return { agentActionId: a.id };
      }
      case 'wipe':
      case 'lock': {
        if (apple) {
          const cmd = mdm.enqueue(
            device.id,
            request.action === 'wipe'
              ? { type: 'EraseDevice', ...(request.pin ? { pin: request.pin } : {}) }
              : {
                  type: 'DeviceLock',
                  ...(request.message ? { message: request.message } : {}),
                  ...(request.pin ? { pin: request.pin } : {}),
                },
            actor,
            sourceAddress,
          );
          audit.record({
            actor,
            action: `device.${request.action}_requested`,
            subject: subject(device),
            details: { ...details, command: cmd.uuid, pinGenerated: cmd.pin !== null && !request.pin },
            sourceAddress,
          });
          return { commandUuid: cmd.uuid, pin: cmd.pin };
        }
        const a = agent.queue(
          device.id,
          request.action,
          request.message ? { message: request.message } : {},
          actor,
          sourceAddress,
        );
        audit.record({
          actor,
          action: `device.${request.action}_requested`,
          subject: subject(device),
          details: { ...details, agentAction: a.id },
          sourceAddress,
        });
        return { agentActionId: a.id };
      }
      default:
        throw new AppError('VALIDATION_FAILED', 'Unknown action.', { field: 'action' });
    }
  };

  const service: DeviceActionsService = {
    act(request, actor, sourceAddress) {
      const ids = [...new Set(request.deviceIds)];
      if (ids.length === 0 || ids.length > MAX_BULK)
        throw new AppError('VALIDATION_FAILED', `Choose 1 to ${MAX_BULK} devices.`, { field: 'deviceIds' });
      const results: DeviceActionResult['results'] = [];
      for (const deviceId of ids) {
        try {
          const out = one(live(deviceId), request, actor, sourceAddress);
          results.push({ deviceId, ok: true, ...out });
        } catch (err) {
          if (!isAppError(err)) throw err;
          results.push({ deviceId, ok: false, error: { code: err.code, message: err.message } });
        }
      }
      return { results };
    },

    detail(deviceId) {
      const d = mdm.detail(deviceId);
      return {
        ...d,
        agentActions: d.device.platform === 'android' ? agent.actions(deviceId) : [],
        caReport: d.device.platform === 'android' ? agent.caReport(deviceId) : null,
        claimConflicts: lifecycle.conflicts(deviceId).map(toClaimConflictDto),
        statusHistory: devices.statusHistory(deviceId, 100).map(toHistoryEntry),
        certificates: devices.certificates(deviceId, 50).map((c) => ({
          serial: c.serial,
          subject: c.subject,
          notBefore: c.not_before,
          notAfter: c.not_after,
          kind: c.kind,
          purpose: c.purpose,
          revokedAt: c.revoked_at,
          revokedReason: c.revoked_reason,
        })),
      };
    },

    summary() {
      const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<DeviceStatus, number>;
      const byPlatform = Object.fromEntries(PLATFORMS.map((p) => [p, 0])) as Record<Platform, number>;
      let total = 0;
      for (const r of devices.counts()) {
        byStatus[r.status] += r.n;
        byPlatform[r.platform] += r.n;
        total += r.n;
      }
      const today = new Date(clock.now().toISOString().slice(0, 10));
      const from = new Date(today.getTime() - 29 * 86_400_000);
      const counted = new Map(deps.enrollmentsPerDay(from.toISOString()).map((r) => [r.day, r.count]));
      const enrollmentsPerDay = Array.from({ length: 30 }, (_, i) => {
        const day = new Date(from.getTime() + i * 86_400_000).toISOString().slice(0, 10);
        return { day, count: counted.get(day) ?? 0 };
      });
      return { total, byStatus, byPlatform, enrollmentsPerDay };
    },

    async reenroll(deviceId, actor, sourceAddress) {
      const d = live(deviceId);
      if (!d.user_id)
        throw new AppError('VALIDATION_FAILED', 'This device has no user to enroll it for.', { field: 'deviceId' });
      audit.record({
        actor,
        action: 'device.reenroll_started',
        subject: subject(d),
        details: { platform: d.platform, status: d.status },
        sourceAddress,
      });
      if (d.platform === 'android') {
        const qr = agent.enrollmentQr(d.user_id, sourceAddress);
        return {
          profileUrl: null,
          agentQr: qr.payload,
          agentQrImage: await QRCode.toDataURL(qr.payload, { margin: 4, scale: 6, errorCorrectionLevel: 'M' }),
          expiresAt: qr.expiresAt,
        };
      }
      const e = deps.enrollment.create({ userId: d.user_id, platform: d.platform }, actor, sourceAddress, 1);
      return { profileUrl: e.profileUrl, agentQr: null, agentQrImage: null, expiresAt: e.expiresAt };
    },

    onPushTokenGone({ deviceId, channel, reason }) {
      if (channel === 'device') service.markReset(deviceId, `APNs answered ${reason}`);
    },

    onEnrollmentAbandoned({ deviceId, enrollmentId }) {
      if (!deviceId) return;
      transaction(() => {
        mdm.shutDown(deviceId, 'enrollment cancelled during profile install');
        const device = devices.byId(deviceId);
        if (device && !device.deleted_at && device.status === 'pending')
          lifecycle.change(device, 'abandon', {
            actor: { type: 'system', label: 'scheduler' },
            details: { enrollmentId },
          });
      });
    },

    markReset(deviceId, detail) {
      lifecycle.markReset(deviceId, detail);
    },

    reassign(deviceId, userId, actor, sourceAddress) {
      live(deviceId);
      const user = deps.users.byId(userId);
      if (!user || user.deleted_at || user.disabled)
        throw new AppError('USER_NOT_FOUND', 'Choose an active user to reassign the device to.', { field: 'userId' });
      lifecycle.reassign(deviceId, userId, actor, sourceAddress);
      return service.detail(deviceId);
    },

    dismissClaim(deviceId, conflictId, actor, sourceAddress) {
      live(deviceId);
      lifecycle.dismissConflict(deviceId, conflictId, actor, sourceAddress);
      return service.detail(deviceId);
    },
  };
  return service;
}
