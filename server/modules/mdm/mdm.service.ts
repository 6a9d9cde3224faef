import type { CommandDto } from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newDigits } from '../../core/ids.js';
import type { Random } from '../../core/random.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CaService } from '../ca/ca.service.js';
import type { IssuedStore } from '../ca/issued.store.js';
import { toDeviceDto } from '../devices/devices.service.js';
import type { AppleChannel } from '../devices/device-channels.js';
import type { DeviceLifecycle } from '../devices/device-lifecycle.service.js';
import type { DeviceReports } from '../devices/devices.store.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { decodeCheckin, decodeReport } from './checkin-messages.js';
import { buildCommand } from './commands.js';
import { handleAuthenticate } from './handle-authenticate.js';
import { handleBootstrapToken } from './handle-bootstrap-token.js';
import { handleCheckOut } from './handle-check-out.js';
import { handleCommandReport } from './handle-command-report.js';
import { handleTokenUpdate } from './handle-token-update.js';
import { createMdmContext, type MdmReply } from './mdm-context.js';
import { createSignerCheck } from './mdm-signature.js';
import type { CommandRow, MdmStore } from './mdm.store.js';
import { NO_COMMAND_HOOKS, type CommandHooks } from './command-hooks.js';
import type { PlistDict } from '../../core/plist.js';

export type { MdmReply } from './mdm-context.js';
export type { CommandHooks, CommandOutcome } from './command-hooks.js';

/** A device's MDM channel as the modules that queue commands of their own see it. */
export interface ChannelState {
  channel: string;
  enabled: boolean;
  hasPushToken: boolean;
}

/** Apple MDM: check-in messages, the command queue, and commands admins send. */
export interface MdmService extends AppleChannel {
  checkin(body: Buffer, signature: string | undefined, sourceAddress: string | null): Promise<MdmReply>;
  connect(body: Buffer, signature: string | undefined, sourceAddress: string | null): Promise<MdmReply>;
  /**
   * For the request limits: the certificate a message is validly signed with, and whether the message completes a
   * profile install (Authenticate or TokenUpdate from a certificate issued within ENROLLING_MINUTES); null when the
   * signature does not verify. Records nothing.
   */
  identifyForLimits(
    body: Buffer,
    signature: string | undefined,
  ): { certificate: string; completingEnrollment: boolean } | null;
  /** The device's MDM channels ('device', 'user:<UserID>'). */
  channelStates(deviceId: string): ChannelState[];
  /**
   * Queues a command of a module (configuration delivery) on a channel, inside the caller's transaction; the caller
   * audits it and wakes the device. With `render`, `command` is a placeholder stored in the queue and the body is
   * made by the command hooks when the device fetches it. Returns the command's UUID.
   */
  queueCommand(
    deviceId: string,
    channel: string,
    command: PlistDict,
    options: { createdBy: string; render?: string },
  ): string;
  /** Cancels a command the device has not fetched yet (queued or deferred); false when it is past that. */
  cancelQueued(uuid: string): boolean;
  /** Whether a command is still to be answered (queued, sent or deferred). */
  isOpen(uuid: string): boolean;
  /** The devices due for the daily ProfileList (none since `before`). */
  profileListsDue(before: string, limit: number): string[];
  /** Wakes a device after commands were queued (fire and forget). */
  wake(deviceId: string): void;
}

/**
 * How long after SCEP issued a certificate its Authenticate and TokenUpdate are never refused by the request limits
 * (a 429 there fails the profile install on the device).
 */
export const ENROLLING_MINUTES = 60;

/** Dependencies of the MDM service. */
export interface MdmDeps {
  store: MdmStore;
  /** Device records: read, and what devices report; status changes go through `lifecycle`. */
  devices: DeviceReports;
  lifecycle: DeviceLifecycle;
  /** The users enrollments are for. */
  users: { byId(id: string): { email: string } | undefined };
  issued: IssuedStore;
  enrollment: EnrollmentService;
  ca: CaService;
  secrets: SecretBox;
  /** The push topic of the uploaded certificate. */
  topic: () => string | null;
  /** Wakes a device after commands are queued (fire and forget; failures are audited by the push service). */
  wake: (deviceId: string) => void;
  serverId: () => string;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  /** Configuration delivery's follow-ups; none by default. */
  hooks?: CommandHooks;
}

/** The console's view of a stored command. */
export function toCommandDto(row: CommandRow): CommandDto {
  return {
    uuid: row.uuid,
    deviceId: row.device_id,
    channel: row.channel,
    requestType: row.request_type,
    status: row.status,
    result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : null,
    errorChain: row.error_chain ? (JSON.parse(row.error_chain) as Record<string, unknown>[]) : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    completedAt: row.completed_at,
  };
}

// Apple reads any 4xx but 401 and 403 as a failed step; 409 is not an answer Apple documents for check-ins, so the
// lifecycle's refusals (a claim refused, a change that does not apply) reach the device as 400.
const REFUSALS = new Set(['DEVICE_CLAIM_REFUSED', 'DEVICE_STATE_INVALID']);

function mdmRefusal(err: unknown): unknown {
  return err instanceof AppError && REFUSALS.has(err.code)
    ? new AppError('MDM_BAD_REQUEST', err.message, undefined, { cause: err })
    : err;
}

async function asMdmRefusal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mdmRefusal(err);
  }
}

/** Builds the MDM service: every message is signature-checked, decoded, then handled by its own handler. */
export function createMdmService(deps: MdmDeps): MdmService {
  const { store, devices, issued, audit, clock, random, transaction } = deps;
  const ctx = createMdmContext({ ...deps, hooks: deps.hooks ?? NO_COMMAND_HOOKS });
  const identify = createSignerCheck({ caPem: () => deps.ca.caCertificate().pem, issued, clock });

  return {
    async checkin(body, signature, sourceAddress) {
      const cert = identify(body, signature);
      const msg = decodeCheckin(body);
      return asMdmRefusal(async () => {
        switch (msg.type) {
          case 'Authenticate':
            return handleAuthenticate(ctx, cert, msg, sourceAddress);
          case 'TokenUpdate': {
            const { reply, wake } = handleTokenUpdate(ctx, cert, msg, sourceAddress);
            if (wake) deps.wake(wake);
            return reply;
          }
          case 'CheckOut':
            return handleCheckOut(ctx, cert, msg, sourceAddress);
          case 'SetBootstrapToken':
          case 'GetBootstrapToken':
            return handleBootstrapToken(ctx, cert, msg, sourceAddress);
          case 'UserAuthenticate':
            // Only the device's own identity may ask; 410 declines managing this (directory or mobile) user, and
            // the device channel is unaffected.
            ctx.boundDevice(cert, msg.udid, sourceAddress);
            return { status: 410, body: '', contentType: null };
          case 'DeclarativeManagement':
          case 'GetToken':
            // Never enabled: this server sends no DeclarativeManagement command and advertises no com.apple.mdm.token.
            return {
              status: 400,
              body: `${msg.type} is not supported by this server.`,
              contentType: 'text/plain; charset=utf-8',
            };
        }
      });
    },

    identifyForLimits(body, signature) {
      let cert;
      try {
        cert = identify(body, signature);
      } catch {
        return null;
      }
      let type: string | null = null;
      try {
        type = decodeCheckin(body).type;
      } catch {
        // A command report (ServerURL), or no check-in at all.
      }
      const age = clock.now().getTime() - Date.parse(cert.created_at);
      const recent = age >= 0 && age <= ENROLLING_MINUTES * 60_000;
      return {
        certificate: cert.serial,
        completingEnrollment: recent && (type === 'Authenticate' || type === 'TokenUpdate'),
      };
    },

    async connect(body, signature, sourceAddress) {
      const cert = identify(body, signature);
      const report = decodeReport(body);
      return asMdmRefusal(() => handleCommandReport(ctx, cert, report, sourceAddress));
    },

    enqueue(deviceId, request, actor, sourceAddress) {
      const device = devices.byId(deviceId);
      if (!device || device.deleted_at)
        throw new AppError('DEVICE_NOT_FOUND', 'No device has this id.', { id: deviceId });
      if (device.platform === 'android')
        throw new AppError('COMMAND_INVALID', 'Android devices take actions through the agent, not MDM commands.', {
          field: 'type',
        });
      const channel = request.channel ?? 'device';
      if (channel !== 'device' && (request.type === 'DeviceLock' || request.type === 'EraseDevice'))
        throw new AppError('COMMAND_INVALID', 'Lock and erase go to the device channel only.', { field: 'channel' });
      const ch = store.channel(device.id, channel);
      if (!ch?.enabled)
        throw new AppError(
          'COMMAND_INVALID',
          channel === 'device'
            ? 'This device is not enrolled in MDM now, so it cannot receive commands.'
            : 'This device has no such user channel enabled now.',
          { field: channel === 'device' ? 'deviceId' : 'channel' },
        );
      const { command, pin } = buildCommand(request, device.platform, () => newDigits(random, 6));
      const row = transaction(() => {
        const created = ctx.enqueueRow(device.id, channel, command, actor.label ?? actor.type);
        audit.record({
          actor,
          action: 'mdm.command_queued',
          subject: { type: 'device', id: device.id, label: device.udid },
          details: { command: created.uuid, requestType: created.request_type, channel },
          sourceAddress,
        });
        return created;
      });
      deps.wake(device.id);
      return { ...toCommandDto(row), pin };
    },

    detail(deviceId) {
      const row = devices.byId(deviceId);
      if (!row || row.deleted_at) throw new AppError('DEVICE_NOT_FOUND', 'No device has this id.', { id: deviceId });
      return {
        device: toDeviceDto(row),
        agentActions: [],
        claimConflicts: [],
        channels: store.channels(deviceId).map((c) => ({
          channel: c.channel,
          enabled: c.enabled === 1,
          hasPushToken: c.token_hex !== null,
          pushDisabledReason: c.push_disabled_reason,
          tokenUpdatedAt: c.token_updated_at,
          lastSeenAt: c.last_seen_at,
          userShortName: c.user_short_name,
        })),
        commands: store.commands(deviceId, 50).map(toCommandDto),
      };
    },

    commands: (deviceId, limit = 100) => store.commands(deviceId, Math.min(Math.max(limit, 1), 500)).map(toCommandDto),

    cancel(deviceId, uuid, actor, sourceAddress) {
      return transaction(() => {
        const row = store.command(uuid);
        if (!row || row.device_id !== deviceId)
          throw new AppError('COMMAND_NOT_FOUND', 'No such command on this device.', { uuid });
        if (row.status !== 'queued' && row.status !== 'notnow')
          throw new AppError(
            'COMMAND_INVALID',
            `This command is ${row.status}; only commands the device has not fetched can be cancelled.`,
            { field: 'uuid' },
          );
        const at = clock.now().toISOString();
        store.updateCommand(uuid, { status: 'cancelled', completed_at: at });
        audit.record({
          actor,
          action: 'mdm.command_cancelled',
          subject: { type: 'device', id: deviceId, label: null },
          details: { command: uuid, requestType: row.request_type },
          sourceAddress,
        });
        return toCommandDto({ ...row, status: 'cancelled', completed_at: at });
      });
    },

    channelStates: (deviceId) =>
      store.channels(deviceId).map((c) => ({
        channel: c.channel,
        enabled: c.enabled === 1,
        hasPushToken: c.token_hex !== null,
      })),

    queueCommand: (deviceId, channel, command, options) =>
      ctx.enqueueRow(deviceId, channel, command, options.createdBy, options.render).uuid,

    cancelQueued(uuid) {
      const row = store.command(uuid);
      if (!row || (row.status !== 'queued' && row.status !== 'notnow')) return false;
      store.updateCommand(uuid, { status: 'cancelled', completed_at: clock.now().toISOString() });
      return true;
    },

    isOpen(uuid) {
      const status = store.command(uuid)?.status;
      return status === 'queued' || status === 'sent' || status === 'notnow';
    },

    profileListsDue: (before, limit) => store.profileListsDue(before, limit),

    wake: (deviceId) => deps.wake(deviceId),

    shutDown(deviceId, reason) {
      const at = clock.now().toISOString();
      store.disableChannels(deviceId, reason);
      issued.revokeOthers(deviceId, null, at, reason);
      for (const ch of store.channels(deviceId)) store.cancelPending(deviceId, ch.channel, at);
    },
  };
}
