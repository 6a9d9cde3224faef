import type { DeviceStatus, DeviceStatusReason, Platform } from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { AuditAction } from '../../contract/audit.js';
import type { EventSink } from '../../core/events.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { ClaimConflictListRow, ClaimConflictsStore } from './claim-conflicts.store.js';
import { judgeClaim } from './device-claim.js';
import type { DeviceFacts, DeviceRow, DevicesStore } from './devices.store.js';

// The one owner of a device record's life: it creates records, changes their user, status and binding, and
// lets an identity claim a record only under the claim rule (device-claim.ts). Each change is decided from the
// transition table below, written and audited in one transaction. The MDM and agent modules, the admin's
// device actions and the scheduler call it; they never write a status themselves.

/** A change of status, with the statuses it may start from, where it leads and why. */
interface Transition {
  from: readonly DeviceStatus[];
  to: DeviceStatus;
  reason: DeviceStatusReason | null;
  /** The audit action recorded, unless the caller names a more precise one. */
  action: AuditAction;
}

/** Every status change a device record can go through. */
export const TRANSITIONS = Object.freeze({
  /** The enrollment completed: Apple's first device-channel TokenUpdate, the agent's first check-in as admin. */
  activate: { from: ['pending', 'reset'], to: 'active', reason: null, action: 'device.enrolled' },
  /** The user removed the management profile and the device said so (CheckOut). */
  checkOut: {
    from: ['pending', 'active', 'reset'],
    to: 'inactive',
    reason: 'checked_out',
    action: 'device.checked_out',
  },
  /** Management ended: the device acknowledged the removal, or the admin retired it on the server only. */
  retire: { from: ['pending', 'active', 'reset'], to: 'inactive', reason: 'retired', action: 'device.retired' },
  /** The device acknowledged an erase. */
  wipe: { from: ['pending', 'active', 'reset', 'inactive'], to: 'wiped', reason: 'wiped', action: 'device.wiped' },
  /** The enrollment is gone outside our control: APNs no longer knows the token, or the agent fell silent. */
  reset: { from: ['active'], to: 'reset', reason: 'push_token_gone', action: 'device.reset_detected' },
  /** Android 10 and newer: a newer enrollment of the same hardware replaces this entry. */
  supersede: { from: ['pending', 'active'], to: 'inactive', reason: 'superseded', action: 'device.superseded' },
  /** The profile install stopped after SCEP and no TokenUpdate came. */
  abandon: { from: ['pending'], to: 'inactive', reason: 'install_cancelled', action: 'device.install_abandoned' },
} satisfies Record<string, Transition>);

/** The name of a status change. */
export type TransitionName = keyof typeof TRANSITIONS;

/** Whether a status change applies to a device in `status`. */
export function canChange(status: DeviceStatus, name: TransitionName): boolean {
  return (TRANSITIONS[name].from as readonly DeviceStatus[]).includes(status);
}

/** Who claims a device: the user and the enrollment an identity was minted for. */
export interface Claimant {
  userId: string;
  /** The user's email, for the audit trail. */
  userLabel: string | null;
  /** The enrollment the identity belongs to; null for an agent whose enrollment opens only once the claim is allowed. */
  enrollmentId: string | null;
  /** `certificate:<serial>` (Apple) or `agent` (Android). */
  identity: string;
}

/** How a status change is told in the audit trail. */
export interface ChangeContext {
  actor: Actor;
  /** A more precise audit action than the transition's own (e.g. device.reenrolled). */
  action?: AuditAction;
  details?: Record<string, unknown>;
  sourceAddress?: string | null;
  /** How the device is named in the audit event (the channel's identifier: UDID, hardware id). */
  label?: string | null;
}

/** The device lifecycle: claims, status changes, deletion, admin grants and claim conflicts. */
export interface DeviceLifecycle {
  /**
   * Settles a claim before anything is written: a contested record is released only by proof that its
   * enrollment is gone (APNs says the token is dead; the agent was silent past the window), else the claim is
   * refused: audited as `device.claim_refused`, kept as a conflict for the admin, and DEVICE_CLAIM_REFUSED thrown.
   */
  settleClaim(
    records: readonly DeviceRow[],
    claimant: Claimant,
    platform: Platform,
    sourceAddress: string | null,
  ): Promise<void>;
  /**
   * Apple `Authenticate`: binds the record of this UDID (created, or the existing one: no duplicates) to the
   * claimant's enrollment, pending until TokenUpdate. Throws DEVICE_CLAIM_REFUSED if the rule does not allow it.
   */
  claimApple(input: {
    udid: string;
    platform: Platform;
    facts: DeviceFacts;
    claimant: Claimant & { enrollmentId: string };
    certificateSerial: string;
  }): {
    device: DeviceRow;
    reenrolled: boolean;
  };
  /**
   * Android `enroll`: Android 9 and older keep one entry per hardware id (`keepOneEntry`), newer ones get a new
   * entry and the older live entries are superseded. Throws DEVICE_CLAIM_REFUSED if the rule does not allow it.
   */
  claimAndroid(
    input: {
      hardwareId: string;
      facts: DeviceFacts;
      keepOneEntry: boolean;
      claimant: Claimant & { enrollmentId: string };
      apiLevel: number;
    },
    sourceAddress: string | null,
  ): { deviceId: string; reused: DeviceRow | null; superseded: DeviceRow[] };
  /** Applies a status change from the transition table; DEVICE_STATE_INVALID when it does not apply. */
  change(device: DeviceRow, name: TransitionName, ctx: ChangeContext): void;
  /** APNs says the device channel's token is dead: an Active device was reset; false when nothing changed. */
  markReset(deviceId: string, detail: string): boolean;
  /** The admin deletes the record: it leaves the lists, its history stays in the audit trail. */
  remove(device: DeviceRow, ctx: ChangeContext): void;
  /** The admin allows a user to claim the device next (the device moves to them when it enrolls for them). */
  reassign(deviceId: string, userId: string, actor: Actor, sourceAddress: string | null): void;
  /** The admin dismisses a refused claim: the device stays with its user. */
  dismissConflict(deviceId: string, conflictId: string, actor: Actor, sourceAddress: string | null): void;
  /**
   * A SCEP renewal of a bound identity speaks for the same device: binds the renewed certificate when its
   * enrollment is the device's current binding; false otherwise.
   */
  bindRenewal(serial: string, enrollmentId: string, device: DeviceRow): boolean;
  /** The device's refused claims that wait for the admin. */
  conflicts(deviceId: string): ClaimConflictListRow[];
  /** The user's own claims that wait for the admin (the portal says so). */
  waitingClaims(userId: string): ClaimConflictListRow[];
}

/** Dependencies of the device lifecycle. */
export interface DeviceLifecycleDeps {
  devices: DevicesStore;
  conflicts: ClaimConflictsStore;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  /** Binds an Apple identity certificate to its device record (the issued certificates). */
  bindCertificate: (serial: string, deviceId: string) => void;
  /** How long an Android agent may stay silent before another user's enrollment counts it as gone. */
  agentSilentMs: () => number;
  /**
   * Pushes an Apple device: true when APNs answers that its push token is gone (which also marks it Reset);
   * false when the device is reachable, has no token, or push is unavailable.
   */
  proveTokenGone?: (deviceId: string) => Promise<boolean>;
  /** Told when a device leaves management (`device.management_ended`), inside the change's transaction. */
  events?: EventSink;
}

/** Builds the device lifecycle. */
export function createDeviceLifecycle(deps: DeviceLifecycleDeps): DeviceLifecycle {
  const { devices, conflicts, audit, clock, random, transaction } = deps;

  const subject = (d: Pick<DeviceRow, 'id' | 'udid' | 'hardware_id' | 'device_name' | 'serial_number'>) => ({
    type: 'device',
    id: d.id,
    label: d.device_name ?? d.serial_number ?? d.udid ?? d.hardware_id,
  });

  const refused = (): AppError =>
    new AppError(
      'DEVICE_CLAIM_REFUSED',
      'This device is enrolled for another user. Your administrator must reassign it to you before it can enroll.',
    );

  const refuse = (record: DeviceRow, claimant: Claimant, platform: Platform, sourceAddress: string | null) => {
    transaction(() => {
      const now = clock.now().toISOString();
      const conflictId = conflicts.record({
        id: random.uuid(),
        device_id: record.id,
        owner_user_id: record.user_id,
        claimant_user_id: claimant.userId,
        claimant_enrollment_id: claimant.enrollmentId,
        identity: claimant.identity,
        created_at: now,
        last_attempt_at: now,
      });
      audit.record({
        actor: { type: 'user', id: claimant.userId, label: claimant.userLabel },
        action: 'device.claim_refused',
        subject: subject(record),
        details: {
          platform,
          status: record.status,
          ownerUserId: record.user_id,
          claimantUserId: claimant.userId,
          claimantEnrollmentId: claimant.enrollmentId,
          identity: claimant.identity,
          conflictId,
        },
        sourceAddress,
      });
    });
    throw refused();
  };

  /** Releases a contested record when its enrollment is proved gone; true when it was. */
  const proveGone = async (record: DeviceRow): Promise<boolean> => {
    if (record.platform === 'android') {
      const lastSeen = Date.parse(record.last_seen_at ?? record.updated_at);
      if (record.status !== 'active' || clock.now().getTime() - lastSeen < deps.agentSilentMs()) return false;
      transaction(() => {
        devices.setStatus(record.id, 'reset', 'agent_silent', clock.now().toISOString());
        audit.record({
          actor: { type: 'system', label: 'claim' },
          action: 'device.reset_detected',
          subject: subject(record),
          details: { from: 'active', to: 'reset', reason: 'agent_silent', lastSeenAt: record.last_seen_at },
        });
      });
      return true;
    }
    if (record.status !== 'active' || !deps.proveTokenGone) return false;
    // The push itself marks the record Reset when APNs answers that the token is gone (push.token_gone).
    await deps.proveTokenGone(record.id);
    return devices.byId(record.id)?.status === 'reset';
  };

  /** Throws DEVICE_CLAIM_REFUSED unless the rule allows the claim now (inside the writing transaction). */
  const assertClaimable = (record: DeviceRow | undefined, claimant: Claimant) => {
    if (!judgeClaim(record, claimant.userId).allowed) throw refused();
  };

  /** Audits a record that changes hands (released, or granted by the admin). */
  const auditTransfer = (record: DeviceRow, claimant: Claimant, sourceAddress: string | null) => {
    if (record.user_id === claimant.userId) return;
    audit.record({
      actor: { type: 'user', id: claimant.userId, label: claimant.userLabel },
      action: 'device.claimed',
      subject: subject(record),
      details: {
        fromUserId: record.user_id,
        toUserId: claimant.userId,
        status: record.status,
        why: judgeClaim(record, claimant.userId).why,
        enrollmentId: claimant.enrollmentId,
      },
      sourceAddress,
    });
    conflicts.resolveAllForDevice(
      record.id,
      'released',
      claimant.userLabel ?? claimant.userId,
      clock.now().toISOString(),
    );
  };

  const newRecord = (
    platform: Platform,
    claimant: Claimant & { enrollmentId: string },
    now: string,
    fields: Partial<DeviceRow>,
  ): DeviceRow => ({
    id: random.uuid(),
    platform,
    user_id: claimant.userId,
    udid: null,
    serial_number: null,
    hardware_id: null,
    device_name: null,
    model: null,
    model_name: null,
    product_name: null,
    os_version: null,
    build_version: null,
    status: 'pending',
    enrolled_at: null,
    last_seen_at: now,
    status_reason: null,
    api_level: null,
    manufacturer: null,
    enrollment_id: claimant.enrollmentId,
    claim_grant_user_id: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    ...fields,
  });

  const service: DeviceLifecycle = {
    async settleClaim(records, claimant, platform, sourceAddress) {
      for (const record of records) {
        if (judgeClaim(record, claimant.userId).allowed) continue;
        if (await proveGone(record)) {
          const now = devices.byId(record.id);
          if (now && judgeClaim(now, claimant.userId).allowed) continue;
        }
        refuse(devices.byId(record.id) ?? record, claimant, platform, sourceAddress);
      }
    },

    claimApple({ udid, platform, facts, claimant, certificateSerial }) {
      return transaction(() => {
        const existing = devices.byUdid(udid);
        assertClaimable(existing, claimant);
        const now = clock.now().toISOString();
        if (!existing) {
          const created = newRecord(platform, claimant, now, {
            udid,
            status_reason: 'awaiting_token_update',
            manufacturer: 'Apple',
            ...facts,
          });
          devices.insert(created);
          deps.bindCertificate(certificateSerial, created.id);
          return { device: created, reenrolled: false };
        }
        auditTransfer(existing, claimant, null);
        // The same UDID lands on its existing record (no duplicates); it is pending until its TokenUpdate.
        devices.recordFacts(existing.id, facts, now);
        devices.bind(existing.id, {
          userId: claimant.userId,
          enrollmentId: claimant.enrollmentId,
          status: 'pending',
          reason: 'reenrolling',
          at: now,
        });
        deps.bindCertificate(certificateSerial, existing.id);
        return {
          device: { ...existing, ...facts, user_id: claimant.userId, enrollment_id: claimant.enrollmentId },
          reenrolled: true,
        };
      });
    },

    claimAndroid({ hardwareId, facts, keepOneEntry, claimant, apiLevel }, sourceAddress) {
      return transaction(() => {
        const previous = devices.byHardwareId(hardwareId);
        for (const record of previous) assertClaimable(record, claimant);
        const now = clock.now().toISOString();
        const actor: Actor = { type: 'user', id: claimant.userId, label: claimant.userLabel };
        const reuse = keepOneEntry ? (previous[0] ?? null) : null;
        if (reuse) {
          auditTransfer(reuse, claimant, sourceAddress);
          devices.recordFacts(reuse.id, facts, now);
          devices.bind(reuse.id, {
            userId: claimant.userId,
            enrollmentId: claimant.enrollmentId,
            status: 'pending',
            reason: 'awaiting_check_in',
            at: now,
          });
          audit.record({
            actor,
            action: 'device.reenrolling',
            subject: { type: 'device', id: reuse.id, label: hardwareId },
            details: { platform: 'android', apiLevel, from: reuse.status, rule: 'Android 9 and older keep one entry' },
            sourceAddress,
          });
          return { deviceId: reuse.id, reused: reuse, superseded: [] };
        }
        const created = newRecord('android', claimant, now, {
          hardware_id: hardwareId,
          status_reason: 'awaiting_check_in',
          ...facts,
        });
        devices.insert(created);
        const superseded = previous.filter((d) => d.status === 'active' || d.status === 'pending');
        for (const old of superseded) {
          // Android 10 and newer: a new entry per enrollment; only the newest stays active.
          auditTransfer(old, claimant, sourceAddress);
          service.change(old, 'supersede', {
            actor,
            label: old.hardware_id,
            details: { by: created.id },
            sourceAddress,
          });
        }
        audit.record({
          actor,
          action: 'device.enrolling',
          subject: { type: 'device', id: created.id, label: hardwareId },
          details: { platform: 'android', apiLevel, model: facts.model ?? null, enrollmentId: claimant.enrollmentId },
          sourceAddress,
        });
        return { deviceId: created.id, reused: null, superseded };
      });
    },

    change(device, name, ctx) {
      const t: Transition = TRANSITIONS[name];
      const current = devices.byId(device.id) ?? device;
      if (current.deleted_at || !canChange(current.status, name))
        throw new AppError(
          'DEVICE_STATE_INVALID',
          `This device is ${current.deleted_at ? 'deleted' : current.status}; it cannot change that way now.`,
          { status: current.status, change: name },
        );
      transaction(() => {
        const now = clock.now().toISOString();
        devices.setStatus(current.id, t.to, t.reason, now, name === 'activate' ? now : undefined);
        audit.record({
          actor: ctx.actor,
          action: ctx.action ?? t.action,
          subject:
            name === 'supersede' ? { type: 'device', id: current.id, label: current.hardware_id } : subject(current),
          details: { from: current.status, to: t.to, ...ctx.details },
          ...(ctx.sourceAddress !== undefined ? { sourceAddress: ctx.sourceAddress } : {}),
        });
        if (t.to !== 'active') deps.events?.emit('device.management_ended', { deviceId: current.id, status: t.to });
      });
    },

    markReset(deviceId, detail) {
      const d = devices.byId(deviceId);
      if (!d || d.deleted_at || d.status !== 'active') return false;
      service.change(d, 'reset', {
        actor: { type: 'system', label: 'push' },
        details: { reason: 'push_token_gone', detail },
      });
      return true;
    },

    remove(device, ctx) {
      transaction(() => {
        devices.markDeleted(device.id, clock.now().toISOString());
        audit.record({
          actor: ctx.actor,
          action: 'device.deleted',
          subject: subject(device),
          details: ctx.details ?? {},
          ...(ctx.sourceAddress !== undefined ? { sourceAddress: ctx.sourceAddress } : {}),
        });
        deps.events?.emit('device.management_ended', { deviceId: device.id, status: 'deleted' });
      });
    },

    reassign(deviceId, userId, actor, sourceAddress) {
      const d = devices.byId(deviceId);
      if (!d || d.deleted_at)
        throw new AppError('DEVICE_NOT_FOUND', 'No device has this id; the list may be out of date.', {
          id: deviceId,
        });
      transaction(() => {
        const now = clock.now().toISOString();
        devices.grantClaim(deviceId, userId, now);
        let resolved = 0;
        for (const c of conflicts.openForDevice(deviceId))
          if (c.claimant_user_id === userId && conflicts.resolve(c.id, 'reassigned', actor.label ?? actor.type, now))
            resolved++;
        audit.record({
          actor,
          action: 'device.reassigned',
          subject: subject(d),
          details: { fromUserId: d.user_id, toUserId: userId, resolvedConflicts: resolved },
          sourceAddress,
        });
      });
    },

    dismissConflict(deviceId, conflictId, actor, sourceAddress) {
      const c = conflicts.byId(conflictId);
      if (!c || c.device_id !== deviceId || c.resolved_at)
        throw new AppError('CLAIM_CONFLICT_NOT_FOUND', 'This device has no such open claim; reload the device.', {
          id: conflictId,
        });
      transaction(() => {
        conflicts.resolve(conflictId, 'dismissed', actor.label ?? actor.type, clock.now().toISOString());
        audit.record({
          actor,
          action: 'device.claim_dismissed',
          subject: { type: 'device', id: deviceId, label: null },
          details: { conflictId, claimantUserId: c.claimant_user_id, ownerUserId: c.owner_user_id },
          sourceAddress,
        });
      });
    },

    bindRenewal(serial, enrollmentId, device) {
      if (device.deleted_at || device.enrollment_id !== enrollmentId) return false;
      deps.bindCertificate(serial, device.id);
      return true;
    },

    conflicts: (deviceId) => conflicts.openForDevice(deviceId),
    waitingClaims: (userId) => conflicts.openForClaimant(userId),
  };
  return service;
}
