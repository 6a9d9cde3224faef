import type {
  AgentAction,
  AgentCheckInRequest,
  AgentCheckInResponse,
  AgentConfigurationReport,
  AgentConfigurationReportResponse,
  AgentConfigurationsResponse,
  AgentDeviceFacts,
  AgentEnrollRequest,
  AgentEnrollResponse,
} from '../../contract/agent.js';
import { ANDROID_9_API_LEVEL } from '../../contract/agent.js';
import type { AgentActionDto } from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { hashToken, newToken } from '../../core/ids.js';
import type { Random } from '../../core/random.js';
import { AGENT_REMINDER as REMINDER } from '../../i18n/index.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { AgentConfigurationResult, AgentDelivery } from '../configurations/ports.js';
import type { AgentChannel } from '../devices/device-channels.js';
import { canChange, type DeviceLifecycle } from '../devices/device-lifecycle.service.js';
import type { DeviceFacts, DeviceReports, DeviceRow } from '../devices/devices.store.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import type { UserRow } from '../users/users.store.js';
import {
  checkUserCas,
  officeCaGuidance,
  sha256Hex,
  toCaCertificateDto,
  wifiSuggestion,
} from './agent-configurations.js';
import { agentQrPayload } from './agent-qr.js';
import type { AgentActionRow, AgentStore } from './agent.store.js';

/** How often agents check in. */
export const CHECK_IN_INTERVAL_SECONDS = 900;

/**
 * The Android agent API: enrollment, check-in with actions and results, token rotation; and, as the devices'
 * Android channel, the admin side of actions, tokens and the agent QR code.
 */
export interface AgentService extends AgentChannel {
  enroll(request: AgentEnrollRequest, sourceAddress: string | null): Promise<AgentEnrollResponse>;
  checkIn(token: string | undefined, request: AgentCheckInRequest, sourceAddress: string | null): AgentCheckInResponse;
  rotate(token: string | undefined, sourceAddress: string | null): { token: string };
  /** The Wi-Fi networks the device's agent should suggest now, and how its user installs the office CA. */
  configurations(token: string | undefined, sourceAddress: string | null): AgentConfigurationsResponse;
  /** Records what the agent did with its configurations and the user CA certificates it sees. */
  reportConfigurations(
    token: string | undefined,
    report: AgentConfigurationReport,
    sourceAddress: string | null,
  ): AgentConfigurationReportResponse;
  /** The device a live agent token belongs to, or null; records nothing (the request limits ask it). */
  deviceOfToken(token: string | undefined): string | null;
}

/** What the agent asks of the portal's sign-in: its checks, throttle and single-use QR tokens (the portal implements it). */
export interface AgentSignIn {
  /** Checks email + password or one-time PIN, counting failures like the portal does. */
  verifyCredentials(
    input: { email: string; secret: string; allow?: 'password' | 'pin' | 'either'; via?: string },
    sourceAddress: string | null,
  ): Promise<{ user: UserRow; invitationId: string | null }>;
  /** Redeems an agent QR token; returns the user it was minted for. */
  redeemAgentToken(token: string): UserRow;
  /** Mints a single-use agent QR token for a user. */
  createSignInToken(
    principal: { user: UserRow },
    purpose: 'agent',
    sourceAddress: string | null,
  ): { token: string; expiresAt: string };
}

/** Dependencies of the agent service. */
export interface AgentDeps {
  store: AgentStore;
  /** Device records: read, and what the agent reports; status changes go through `lifecycle`. */
  devices: DeviceReports;
  lifecycle: DeviceLifecycle;
  enrollment: EnrollmentService;
  portal: AgentSignIn;
  invitationFor: (userId: string) => string | null;
  /** The users devices enroll for (their language, for reminders; the user an agent QR code is minted for). */
  users: { byId(id: string): UserRow | undefined };
  /** Base URL of the HTTPS device listener, which the agent QR code names. */
  deviceBaseUrl: () => string;
  /** SHA-256 fingerprint of the office CA, which the agent QR code pins. */
  caFingerprint256: () => string;
  /** The office CA, for the agent's install steps and for telling it apart from other user CA certificates. */
  officeCa: () => { pem: string; name: string; fingerprint256: string };
  /** Configurations on the agent's channel (the delivery side of the configurations module). */
  delivery: AgentDelivery;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
}

const HARDWARE_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The console's view of an agent action. */
export function toActionDto(row: AgentActionRow): AgentActionDto {
  return {
    id: row.id,
    deviceId: row.device_id,
    type: row.type,
    status: row.status,
    result: row.result,
    createdBy: row.created_by,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    completedAt: row.completed_at,
  };
}

function checkFacts(f: AgentDeviceFacts): void {
  if (!HARDWARE_RE.test(f.hardwareId))
    throw new AppError('VALIDATION_FAILED', 'hardwareId must be 1-64 letters, digits, _ or -.', {
      field: 'device.hardwareId',
    });
  if (!Number.isInteger(f.apiLevel) || f.apiLevel < 21 || f.apiLevel > 60)
    throw new AppError('VALIDATION_FAILED', 'apiLevel must be an Android API level from 21 (Android 5) up.', {
      field: 'device.apiLevel',
    });
}

/** Carries the user out of a redemption that is rolled back (see `agentTokenUser`). */
class PeekedToken extends Error {
  constructor(readonly user: UserRow) {
    super('agent QR code checked, not spent');
  }
}

/** Builds the agent service. */
export function createAgentService(deps: AgentDeps): AgentService {
  const { store, devices, audit, clock, random, transaction } = deps;
  // Reminders speak the user's language; Japanese when the device has no user any more.
  const localeOf = (userId: string | null): 'ja' | 'en' =>
    (userId ? deps.users.byId(userId)?.locale : undefined) ?? 'ja';
  const deviceActor = (d: Pick<DeviceRow, 'id' | 'hardware_id'>): Actor => ({
    type: 'device',
    id: d.id,
    label: d.hardware_id,
  });

  const facts = (f: AgentDeviceFacts): DeviceFacts => ({
    manufacturer: f.manufacturer.slice(0, 64),
    model: f.model.slice(0, 64),
    model_name: f.model.slice(0, 64),
    os_version: f.osVersion.slice(0, 32),
    api_level: f.apiLevel,
    ...(f.deviceName ? { device_name: f.deviceName.slice(0, 100) } : {}),
    ...(f.serialNumber ? { serial_number: f.serialNumber.slice(0, 64) } : {}),
  });

  const issueToken = (deviceId: string, at: string) => {
    const token = newToken(random);
    store.insertToken({
      token_hash: hashToken(token),
      device_id: deviceId,
      created_at: at,
      revoked_at: null,
      revoked_reason: null,
    });
    return token;
  };

  /** An old or foreign identity tried to speak for a device: refused, and the attempt kept in the audit trail. */
  const refusedIdentity = (deviceId: string, label: string | null, reason: string, sourceAddress: string | null) =>
    audit.record({
      actor: { type: 'device', id: deviceId, label },
      action: 'device.identity_refused',
      subject: { type: 'device', id: deviceId, label },
      details: { channel: 'agent', reason },
      sourceAddress,
    });

  const authenticate = (token: string | undefined, sourceAddress: string | null): DeviceRow => {
    const row = token && token.length <= 200 ? store.token(hashToken(token)) : undefined;
    if (!row || row.revoked_at) {
      if (row) refusedIdentity(row.device_id, null, `token revoked: ${row.revoked_reason ?? 'revoked'}`, sourceAddress);
      throw new AppError(
        'AGENT_TOKEN_INVALID',
        row?.revoked_reason
          ? `This agent token was revoked (${row.revoked_reason}). Enroll again.`
          : 'The agent token is missing or not valid. Enroll again.',
      );
    }
    const device = devices.byId(row.device_id);
    if (!device || device.deleted_at)
      throw new AppError('AGENT_TOKEN_INVALID', 'This device was removed by your administrator. Enroll again.');
    return device;
  };

  /** The device of a token, while its agent may still speak for it (Pending or Active). */
  const liveDevice = (device: DeviceRow): DeviceRow => {
    if (device.status !== 'active' && device.status !== 'pending')
      throw new AppError('AGENT_TOKEN_INVALID', `This device is ${device.status}. Enroll again.`);
    return device;
  };

  /**
   * The user an agent QR code was minted for, checked exactly as redeeming it checks, but not spent: the
   * redemption is rolled back. `enroll` spends the code in the transaction that opens the enrollment.
   */
  const agentTokenUser = (token: string): UserRow => {
    try {
      return transaction((): never => {
        throw new PeekedToken(deps.portal.redeemAgentToken(token));
      });
    } catch (err) {
      if (err instanceof PeekedToken) return err.user;
      throw err;
    }
  };

  const userFor = async (
    request: AgentEnrollRequest,
    sourceAddress: string | null,
  ): Promise<{ user: UserRow; invitationId: string | null }> => {
    const a = request.auth;
    if (a.method === 'qr') return { user: agentTokenUser(a.token), invitationId: null };
    const verified = await deps.portal.verifyCredentials(
      {
        email: a.email,
        secret: a.method === 'pin' ? a.pin : a.password,
        allow: a.method === 'pin' ? 'pin' : 'password',
        via: 'agent',
      },
      sourceAddress,
    );
    return { user: verified.user, invitationId: verified.invitationId };
  };

  const service: AgentService = {
    async enroll(request, sourceAddress) {
      checkFacts(request.device);
      const { user, invitationId } = await userFor(request, sourceAddress);
      const f = request.device;
      // The claim rule holds whatever apiLevel the request claims: every live record of this hardware id must be
      // claimable by this user (or proved gone) before anything is written.
      const claimant = { userId: user.id, userLabel: user.email, enrollmentId: null, identity: 'agent' };
      await deps.lifecycle.settleClaim(devices.byHardwareId(f.hardwareId), claimant, 'android', sourceAddress);
      const previous = devices.byHardwareId(f.hardwareId);
      // All or nothing: the QR code is spent, the enrollment opened and the device record claimed in one
      // transaction, so an enrollment cut short (a crash, a refused write) leaves no enrollment that no device will
      // complete, and the code still usable for the phone's retry.
      return transaction(() => {
        if (request.auth.method === 'qr') deps.portal.redeemAgentToken(request.auth.token);
        // Devices this enrollment replaces do not count against the user's limit.
        const enrollment = deps.enrollment.create(
          { userId: user.id, platform: 'android', invitationId: invitationId ?? deps.invitationFor(user.id) },
          { type: 'user', id: user.id, label: user.email },
          sourceAddress,
          previous.filter((d) => d.user_id === user.id && (d.status === 'active' || d.status === 'pending')).length,
        );
        const now = clock.now().toISOString();
        const { deviceId, reused, superseded } = deps.lifecycle.claimAndroid(
          {
            hardwareId: f.hardwareId,
            facts: facts(f),
            keepOneEntry: f.apiLevel <= ANDROID_9_API_LEVEL,
            claimant: { ...claimant, enrollmentId: enrollment.id },
            apiLevel: f.apiLevel,
          },
          sourceAddress,
        );
        if (reused) {
          store.revokeTokens(reused.id, now, 'replaced by a new enrollment');
          store.cancelPending(reused.id, now);
        }
        for (const old of superseded) {
          store.revokeTokens(old.id, now, 'superseded by a newer enrollment');
          store.cancelPending(old.id, now);
        }
        deps.enrollment.attachDevice(enrollment.id, deviceId);
        const token = issueToken(deviceId, now);
        return { deviceId, token, status: 'pending' as const, checkInIntervalSeconds: CHECK_IN_INTERVAL_SECONDS };
      });
    },

    checkIn(token, request, sourceAddress) {
      const device = authenticate(token, sourceAddress);
      checkFacts(request.facts);
      if (device.hardware_id && device.hardware_id !== request.facts.hardwareId) {
        refusedIdentity(device.id, device.hardware_id, 'the token belongs to another hardwareId', sourceAddress);
        throw new AppError(
          'AGENT_DEVICE_MISMATCH',
          'This token belongs to another device. Enroll this device on its own.',
        );
      }
      return transaction(() => {
        const now = clock.now().toISOString();
        let status = device.status;
        for (const r of (request.results ?? []).slice(0, 50)) {
          const action = store.action(r.actionId);
          if (
            !action ||
            action.device_id !== device.id ||
            action.status === 'done' ||
            action.status === 'failed' ||
            action.status === 'cancelled'
          )
            continue;
          store.updateAction(action.id, {
            status: r.status === 'done' ? 'done' : 'failed',
            result: (r.message ?? '').slice(0, 500) || null,
            completed_at: now,
          });
          audit.record({
            actor: deviceActor(device),
            action: 'agent.action_result',
            subject: { type: 'device', id: device.id, label: device.hardware_id },
            details: { actionId: action.id, type: action.type, status: r.status },
            sourceAddress,
          });
          if (r.status !== 'done') continue;
          if (action.type === 'wipe' || action.type === 'retire') {
            const change = action.type === 'wipe' ? 'wipe' : 'retire';
            // A second result of an ending action (wipe and retire in one check-in) finds the device ended already.
            if (!canChange(status, change)) continue;
            deps.lifecycle.change(device, change, {
              actor: deviceActor(device),
              label: device.hardware_id,
              sourceAddress,
            });
            status = action.type === 'wipe' ? 'wiped' : 'inactive';
            store.revokeTokens(device.id, now, action.type === 'wipe' ? 'device wiped' : 'device retired');
            store.cancelPending(device.id, now);
          } else {
            audit.record({
              actor: deviceActor(device),
              action: 'device.locked',
              subject: { type: 'device', id: device.id, label: device.hardware_id },
              sourceAddress,
            });
          }
        }
        if (status === 'wiped' || status === 'inactive')
          return { status, actions: [], checkInIntervalSeconds: CHECK_IN_INTERVAL_SECONDS, reminder: null, stop: true };
        devices.recordFacts(device.id, facts(request.facts), now);
        devices.touch(device.id, now);
        if (status === 'pending' && request.facts.adminActive) {
          status = 'active';
          if (device.enrollment_id) deps.enrollment.markEnrolled(device.enrollment_id, device.id);
          deps.lifecycle.change(device, 'activate', {
            actor: deviceActor(device),
            action: device.enrolled_at ? 'device.reenrolled' : 'device.enrolled',
            label: device.hardware_id,
            details: { platform: 'android', userId: device.user_id, apiLevel: request.facts.apiLevel },
            sourceAddress,
          });
        }
        const actions = store.pending(device.id).map((a) => {
          if (a.status === 'queued') store.updateAction(a.id, { status: 'delivered', delivered_at: now });
          return { id: a.id, type: a.type, params: JSON.parse(a.params) as AgentAction['params'] };
        });
        return {
          status,
          actions,
          checkInIntervalSeconds: CHECK_IN_INTERVAL_SECONDS,
          stop: false,
          reminder: status === 'pending' ? REMINDER[localeOf(device.user_id)] : null,
        };
      });
    },

    configurations(token, sourceAddress) {
      const device = liveDevice(authenticate(token, sourceAddress));
      return transaction(() => {
        const wifi = [];
        const unusable: AgentConfigurationResult[] = [];
        // Only an Active device (its agent holds its device-admin rights) gets networks.
        for (const v of device.status === 'active' ? deps.delivery.desiredForAgent(device.id) : []) {
          const suggestion = wifiSuggestion(v);
          if (suggestion) wifi.push(suggestion);
          else
            unusable.push({
              configurationId: v.id,
              version: v.version,
              status: 'failed',
              message: 'The Android agent can only suggest WPA2 or WPA3 Personal Wi-Fi networks.',
            });
        }
        if (unusable.length) deps.delivery.recordAgentResults(device.id, unusable, clock.now().toISOString());
        return { wifi, officeCa: officeCaGuidance(deps.officeCa(), deps.deviceBaseUrl()) };
      });
    },

    reportConfigurations(token, report, sourceAddress) {
      const device = liveDevice(authenticate(token, sourceAddress));
      // Everything is checked before anything is written.
      const cas = checkUserCas(report.userCaCertificates);
      const office = sha256Hex(deps.officeCa().fingerprint256);
      return transaction(() => {
        const now = clock.now().toISOString();
        if (device.status === 'active' && report.results.length) {
          // Results count only for what this device was given: the versions it should have now, or (removed) a
          // configuration it should no longer have, which delivery knows it gave.
          const desired = deps.delivery.desiredForAgent(device.id);
          const given = new Set(desired.map((v) => `${v.id}@${v.version}`));
          const current = new Set(desired.map((v) => v.id));
          const results = report.results
            .filter((r) =>
              r.status === 'removed' ? !current.has(r.configurationId) : given.has(`${r.configurationId}@${r.version}`),
            )
            .map((r) => ({ ...r, ...(r.message ? { message: r.message.slice(0, 500) } : {}) }));
          if (results.length) deps.delivery.recordAgentResults(device.id, results, now);
        }
        const added = new Set(store.replaceUserCas(device.id, cas, now));
        const unknown = new Map(cas.filter((c) => c.sha256 !== office).map((c) => [c.sha256, c]));
        // One event per certificate the device had not reported before, not one per report.
        for (const c of unknown.values())
          if (added.has(c.sha256))
            audit.record({
              actor: deviceActor(device),
              action: 'agent.unknown_ca_reported',
              subject: { type: 'device', id: device.id, label: device.hardware_id },
              details: { sha256: c.sha256, subject: c.subject, issuer: c.issuer, notAfter: c.not_after },
              sourceAddress,
            });
        return { officeCaInstalled: cas.some((c) => c.sha256 === office), unknownCaCertificates: unknown.size };
      });
    },

    caReport(deviceId) {
      const reportedAt = store.caReportedAt(deviceId);
      if (reportedAt === undefined) return null;
      const office = sha256Hex(deps.officeCa().fingerprint256);
      // The office CA first, then the others as they were first seen (and by subject within one report).
      const certificates = store
        .userCas(deviceId)
        .map((r) => toCaCertificateDto(r, office))
        .sort(
          (a, b) =>
            Number(b.kind === 'office') - Number(a.kind === 'office') ||
            a.firstSeenAt.localeCompare(b.firstSeenAt) ||
            a.subject.localeCompare(b.subject),
        );
      return { reportedAt, officeCaInstalled: certificates.some((c) => c.kind === 'office'), certificates };
    },

    deviceOfToken(token) {
      const row = token && token.length <= 200 ? store.token(hashToken(token)) : undefined;
      return row && !row.revoked_at ? row.device_id : null;
    },

    rotate(token, sourceAddress) {
      const device = authenticate(token, sourceAddress);
      return transaction(() => {
        const now = clock.now().toISOString();
        store.revokeTokens(device.id, now, 'rotated');
        const fresh = issueToken(device.id, now);
        audit.record({
          actor: deviceActor(device),
          action: 'agent.token_rotated',
          subject: { type: 'device', id: device.id, label: device.hardware_id },
          sourceAddress,
        });
        return { token: fresh };
      });
    },

    queue(deviceId, type, params, actor, sourceAddress) {
      const device = devices.byId(deviceId);
      if (!device || device.deleted_at)
        throw new AppError('DEVICE_NOT_FOUND', 'No device has this id.', { id: deviceId });
      if (device.platform !== 'android')
        throw new AppError('COMMAND_INVALID', 'Apple devices take MDM commands, not agent actions.', {
          field: 'deviceId',
        });
      if (device.status !== 'active' && device.status !== 'pending')
        throw new AppError('COMMAND_INVALID', `This device is ${device.status}; its agent no longer takes actions.`, {
          field: 'deviceId',
        });
      const row: AgentActionRow = {
        id: random.uuid(),
        device_id: deviceId,
        type,
        params: JSON.stringify(params),
        status: 'queued',
        result: null,
        created_by: actor.label ?? actor.type,
        created_at: clock.now().toISOString(),
        delivered_at: null,
        completed_at: null,
      };
      transaction(() => {
        store.insertAction(row);
        audit.record({
          actor,
          action: 'agent.action_queued',
          subject: { type: 'device', id: deviceId, label: device.hardware_id },
          details: { actionId: row.id, type },
          sourceAddress,
        });
      });
      return toActionDto(row);
    },

    cancel(deviceId, actionId, actor, sourceAddress) {
      return transaction(() => {
        const row = store.action(actionId);
        if (!row || row.device_id !== deviceId)
          throw new AppError('AGENT_ACTION_NOT_FOUND', 'No such pending action on this device.', { id: actionId });
        if (row.status !== 'queued' && row.status !== 'delivered')
          throw new AppError('COMMAND_INVALID', `This action is already ${row.status}.`, { field: 'actionId' });
        const at = clock.now().toISOString();
        store.updateAction(actionId, { status: 'cancelled', completed_at: at });
        audit.record({
          actor,
          action: 'agent.action_cancelled',
          subject: { type: 'device', id: deviceId, label: null },
          details: { actionId, type: row.type, wasDelivered: row.status === 'delivered' },
          sourceAddress,
        });
        return toActionDto({ ...row, status: 'cancelled', completed_at: at });
      });
    },

    actions: (deviceId, limit = 50) => store.actions(deviceId, Math.min(Math.max(limit, 1), 500)).map(toActionDto),

    revokeToken(deviceId, reason, actor, sourceAddress) {
      return transaction(() => {
        const n = store.revokeTokens(deviceId, clock.now().toISOString(), reason);
        audit.record({
          actor,
          action: 'agent.token_revoked',
          subject: { type: 'device', id: deviceId, label: null },
          details: { reason, tokens: n },
          sourceAddress,
        });
        return n;
      });
    },

    enrollmentQr(userId, sourceAddress) {
      const user = deps.users.byId(userId);
      if (!user) throw new AppError('USER_NOT_FOUND', "The device's user no longer exists.");
      const { token, expiresAt } = deps.portal.createSignInToken({ user }, 'agent', sourceAddress);
      return {
        payload: agentQrPayload({ server: deps.deviceBaseUrl(), token, caFingerprint256: deps.caFingerprint256() }),
        expiresAt,
      };
    },

    shutDown(deviceId, reason) {
      const at = clock.now().toISOString();
      store.revokeTokens(deviceId, at, reason);
      store.cancelPending(deviceId, at);
    },
  };
  return service;
}
