import { createHash, X509Certificate } from 'node:crypto';
import type {
  CommandDto,
  CommandRequest,
  DeviceDetailDto,
  DeviceStatusReason,
  Platform,
} from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { newDigits } from '../../core/ids.js';
import { buildPlist, isDict, parsePlist, PlistError, type PlistDict, type PlistValue } from '../../core/plist.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { CaService } from '../ca/ca.service.js';
import { CmsError, verifyCms } from '../../pki/cms.js';
import type { IssuedRow, IssuedStore } from '../ca/issued.store.js';
import { toDeviceDto } from '../devices/devices.service.js';
import type { DeviceRow, DevicesStore } from '../devices/devices.store.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import type { EnrollmentStore } from '../enrollment/enrollment.store.js';
import { enrollmentProfileIdentifier } from '../profiles/enrollment-profile.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { buildCommand, DEFAULT_DEVICE_QUERIES } from './commands.js';
import type { ChannelRow, CommandRow, MdmStore } from './mdm.store.js';
import { plistToJson } from './plist-json.js';

/** What the MDM endpoints answer: never 401, and never the 403 that unenrolls (apple-protocols §3.3). */
export interface MdmReply {
  status: 200 | 400 | 410;
  body: string;
  contentType: string | null;
}

/** Apple MDM: check-in messages, the command queue, and commands admins send. */
export interface MdmService {
  checkin(body: Buffer, signature: string | undefined, sourceAddress: string | null): MdmReply;
  connect(body: Buffer, signature: string | undefined, sourceAddress: string | null): MdmReply;
  enqueue(
    deviceId: string,
    request: CommandRequest,
    actor: Actor,
    sourceAddress: string | null,
  ): CommandDto & { pin: string | null };
  detail(deviceId: string): DeviceDetailDto;
  commands(deviceId: string, limit?: number): CommandDto[];
  /** Cancels a command the device has not fetched yet (queued, or deferred with NotNow). */
  cancel(deviceId: string, uuid: string, actor: Actor, sourceAddress: string | null): CommandDto;
  /** Stops managing a device locally: channels off, identities revoked, queue cancelled (delete, abandoned enrollment). */
  shutDown(deviceId: string, reason: string): void;
}

/** Dependencies of the MDM service. */
export interface MdmDeps {
  store: MdmStore;
  devices: DevicesStore;
  issued: IssuedStore;
  enrollments: EnrollmentStore;
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
}

const EMPTY: MdmReply = { status: 200, body: '', contentType: null };
const UDID_RE = /^[A-Za-z0-9-]{1,64}$/;
const STATUSES = new Set(['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow']);
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** How many checked signer certificates identify() remembers (one per enrolled Apple device is the working set). */
const SIGNER_CACHE = 4096;

function bad(message: string): AppError {
  return new AppError('MDM_BAD_REQUEST', message);
}

function str(msg: PlistDict, key: string, max = 256): string | null {
  const v = msg[key];
  if (v === undefined) return null;
  if (typeof v !== 'string' || v.length > max) throw bad(`${key} must be a string of at most ${max} characters.`);
  return v;
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

const FACTS: [string, keyof DeviceRow][] = [
  ['DeviceName', 'device_name'],
  ['OSVersion', 'os_version'],
  ['BuildVersion', 'build_version'],
  ['Model', 'model'],
  ['ModelName', 'model_name'],
  ['ProductName', 'product_name'],
  ['SerialNumber', 'serial_number'],
];

/** Builds the MDM service. */
export function createMdmService(deps: MdmDeps): MdmService {
  const { store, devices, issued, audit, clock, random, transaction } = deps;

  // Parsed once per CA certificate, not per message.
  let caCache: { pem: string; x509: X509Certificate } | null = null;
  const officeCa = (): X509Certificate => {
    const { pem } = deps.ca.caCertificate();
    if (caCache?.pem !== pem) caCache = { pem, x509: new X509Certificate(pem) };
    return caCache.x509;
  };

  // Issuer, signature and key usage are facts of the certificate's bytes under one CA: checked once per
  // certificate (a device signs every message with the same one), at most SIGNER_CACHE entries, oldest dropped.
  const signerChecks = new Map<string, { ca: X509Certificate; validFrom: number; validTo: number }>();
  const checkedSigner = (sha256: string, der: Buffer): { validFrom: number; validTo: number } => {
    const ca = officeCa();
    const hit = signerChecks.get(sha256);
    if (hit?.ca === ca) return hit;
    const cert = new X509Certificate(der);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
      throw new AppError('MDM_SIGNATURE_INVALID', 'The signing certificate was not issued by this server.');
    if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH))
      throw new AppError('MDM_SIGNATURE_INVALID', 'The signing certificate is not a client identity.');
    const entry = { ca, validFrom: new Date(cert.validFrom).getTime(), validTo: new Date(cert.validTo).getTime() };
    if (signerChecks.size >= SIGNER_CACHE) signerChecks.delete(signerChecks.keys().next().value as string);
    signerChecks.set(sha256, entry);
    return entry;
  };

  /** Verifies Mdm-Signature over the exact body and returns the SCEP-issued certificate it was made with. */
  const identify = (body: Buffer, signature: string | undefined): IssuedRow => {
    if (!signature)
      throw new AppError(
        'MDM_SIGNATURE_INVALID',
        'The Mdm-Signature header is missing; this server requires signed messages (SignMessage).',
      );
    if (signature.length > 16_384 || !/^[A-Za-z0-9+/=\s]+$/.test(signature))
      throw new AppError('MDM_SIGNATURE_INVALID', 'The Mdm-Signature header is not base64.');
    let signerDer: Buffer;
    try {
      signerDer = verifyCms(Buffer.from(signature, 'base64'), body).signerCertDer;
    } catch (err) {
      if (err instanceof CmsError)
        throw new AppError('MDM_SIGNATURE_INVALID', `The Mdm-Signature does not verify: ${err.message}`, undefined, {
          cause: err,
        });
      throw err;
    }
    const sha256 = createHash('sha256').update(signerDer).digest('hex');
    const checked = checkedSigner(sha256, signerDer);
    const now = clock.now();
    if (checked.validFrom > now.getTime() || checked.validTo < now.getTime())
      throw new AppError('MDM_SIGNATURE_INVALID', 'The signing certificate is not valid at this time.');
    const row = issued.bySha256(sha256);
    if (!row) throw new AppError('MDM_SIGNATURE_INVALID', 'The signing certificate is not one this server issued.');
    if (row.revoked_at)
      throw new AppError(
        'MDM_SIGNATURE_INVALID',
        `The signing certificate was revoked (${row.revoked_reason ?? 'revoked'}).`,
      );
    return row;
  };

  const parse = (body: Buffer): PlistDict => {
    let value: PlistValue;
    try {
      value = parsePlist(body);
    } catch (err) {
      if (err instanceof PlistError) throw bad(err.message);
      throw err;
    }
    if (!isDict(value)) throw bad('The message must be a plist dictionary.');
    return value;
  };

  /** The device bound to a certificate, checked against the message's UDID. */
  const boundDevice = (cert: IssuedRow, msg: PlistDict): DeviceRow => {
    const udid = str(msg, 'UDID', 64);
    if (!udid) throw bad('UDID is required.');
    if (!cert.device_id) throw bad('This identity has not sent Authenticate yet.');
    const device = devices.byId(cert.device_id);
    if (!device || device.deleted_at || device.udid !== udid)
      throw bad('The UDID does not match the device this identity belongs to.');
    return device;
  };

  const channelOf = (msg: PlistDict): string => {
    const userId = str(msg, 'UserID', 64);
    return userId ? `user:${userId}` : 'device';
  };

  const platformOf = (msg: PlistDict, fallback: Platform): Platform => {
    const hint = `${String(msg.ProductName ?? '')} ${String(msg.Model ?? '')} ${String(msg.ModelName ?? '')}`;
    if (/iPhone|iPad|iPod/.test(hint)) return 'ios';
    if (/Mac|iMac/.test(hint)) return 'macos';
    return fallback;
  };

  const factsFrom = (source: PlistDict): Partial<DeviceRow> => {
    const changes: Partial<DeviceRow> = {};
    for (const [key, column] of FACTS) {
      const v = source[key];
      if (typeof v === 'string' && v.length <= 128) (changes as Record<string, unknown>)[column] = v;
    }
    return changes;
  };

  const deviceActor = (device: Pick<DeviceRow, 'id' | 'udid'>): Actor => ({
    type: 'device',
    id: device.id,
    label: device.udid,
  });

  const enqueueRow = (deviceId: string, channel: string, command: PlistDict, createdBy: string): CommandRow => {
    const uuid = random.uuid().toUpperCase();
    const row: CommandRow = {
      uuid,
      device_id: deviceId,
      channel,
      request_type: String(command.RequestType),
      command: buildPlist({ CommandUUID: uuid, Command: command }),
      status: 'queued',
      result: null,
      error_chain: null,
      created_by: createdBy,
      created_at: clock.now().toISOString(),
      sent_at: null,
      completed_at: null,
    };
    store.insertCommand(row);
    return row;
  };

  const retireLocally = (device: DeviceRow, status: 'inactive' | 'wiped', reason: DeviceStatusReason, at: string) => {
    devices.update(device.id, { status, status_reason: reason, updated_at: at });
    store.disableChannels(device.id, reason);
    issued.revokeOthers(device.id, null, at, reason);
  };

  const handleAuthenticate = (cert: IssuedRow, msg: PlistDict, sourceAddress: string | null): MdmReply => {
    const udid = str(msg, 'UDID', 64);
    if (!udid || !UDID_RE.test(udid)) throw bad('Authenticate needs a UDID of letters, digits and dashes.');
    const topic = str(msg, 'Topic', 255);
    if (topic !== deps.topic()) throw bad("The Topic does not match this server's push certificate.");
    return transaction(() => {
      const enrollment = deps.enrollments.byId(cert.enrollment_id);
      if (!enrollment || enrollment.status === 'closed')
        throw bad('The enrollment of this identity is closed; download a new profile.');
      const now = clock.now().toISOString();
      let device = devices.byUdid(udid);
      if (cert.device_id && cert.device_id !== device?.id) throw bad('This identity belongs to another device.');
      const reenrolled = device !== undefined;
      if (!device) {
        device = {
          id: random.uuid(),
          platform: platformOf(msg, enrollment.platform),
          user_id: enrollment.user_id,
          udid,
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
          info: '{}',
          status_reason: 'awaiting_token_update',
          api_level: null,
          manufacturer: 'Apple',
          enrollment_id: enrollment.id,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        };
        devices.insert({ ...device, ...factsFrom(msg) });
      } else {
        // The same UDID lands on its existing record (no duplicates); it is pending until its TokenUpdate.
        devices.update(device.id, {
          ...factsFrom(msg),
          user_id: enrollment.user_id,
          status: 'pending',
          status_reason: 'reenrolling',
          enrollment_id: enrollment.id,
          last_seen_at: now,
          updated_at: now,
        });
      }
      issued.bindDevice(cert.serial, device.id);
      deps.enrollments.update(enrollment.id, { device_id: device.id, updated_at: now });
      const cancelled = store.cancelPending(device.id, 'device', now);
      store.upsertChannel({
        device_id: device.id,
        channel: 'device',
        user_id_apple: null,
        user_short_name: null,
        user_long_name: null,
        topic: topic as string,
        push_magic: null,
        token_hex: null,
        unlock_token: null,
        bootstrap_token: store.channel(device.id, 'device')?.bootstrap_token ?? null,
        cert_serial: cert.serial,
        enabled: 0,
        authenticated_at: now,
        token_updated_at: null,
        last_seen_at: now,
        push_disabled_reason: null,
      });
      audit.record({
        actor: deviceActor(device),
        action: 'mdm.authenticated',
        subject: { type: 'device', id: device.id, label: udid },
        details: {
          enrollmentId: enrollment.id,
          certificate: cert.serial,
          reenrollment: reenrolled,
          cancelledCommands: cancelled,
          serialNumber: msg.SerialNumber ?? null,
          model: msg.ProductName ?? msg.Model ?? null,
        },
        sourceAddress,
      });
      return EMPTY;
    });
  };

  const handleTokenUpdate = (
    cert: IssuedRow,
    msg: PlistDict,
    sourceAddress: string | null,
  ): { reply: MdmReply; wake: string | null } => {
    const device = boundDevice(cert, msg);
    const token = msg.Token;
    const pushMagic = str(msg, 'PushMagic', 128);
    if (!Buffer.isBuffer(token) || token.length === 0 || token.length > 100)
      throw bad('TokenUpdate needs Token (data).');
    if (!pushMagic) throw bad('TokenUpdate needs PushMagic.');
    const topic = str(msg, 'Topic', 255) ?? deps.topic() ?? '';
    const channel = channelOf(msg);
    const unlock = msg.UnlockToken;
    return transaction(() => {
      const now = clock.now().toISOString();
      const existing = store.channel(device.id, channel);
      if (channel === 'device' && !existing?.authenticated_at) throw bad('TokenUpdate came before Authenticate.');
      const row: ChannelRow = {
        device_id: device.id,
        channel,
        user_id_apple: channel === 'device' ? null : str(msg, 'UserID', 64),
        user_short_name: str(msg, 'UserShortName', 128),
        user_long_name: str(msg, 'UserLongName', 256),
        topic,
        push_magic: pushMagic,
        token_hex: token.toString('hex'),
        // An absent UnlockToken does not invalidate a stored one (apple-protocols §3.2).
        unlock_token: Buffer.isBuffer(unlock)
          ? deps.secrets.seal(unlock, `unlock:${device.id}`)
          : (existing?.unlock_token ?? null),
        bootstrap_token: existing?.bootstrap_token ?? null,
        cert_serial: cert.serial,
        enabled: 1,
        authenticated_at: existing?.authenticated_at ?? now,
        token_updated_at: now,
        last_seen_at: now,
        push_disabled_reason: null,
      };
      store.upsertChannel(row);
      let wake: string | null = null;
      if (channel === 'device' && device.status !== 'active') {
        const wasEnrolledBefore = device.enrolled_at !== null;
        devices.update(device.id, {
          status: 'active',
          status_reason: null,
          enrolled_at: now,
          last_seen_at: now,
          updated_at: now,
        });
        deps.enrollment.markEnrolled(cert.enrollment_id, device.id);
        const revoked = issued.revokeOthers(device.id, cert.serial, now, 'superseded by re-enrollment');
        enqueueRow(
          device.id,
          'device',
          { RequestType: 'DeviceInformation', Queries: [...DEFAULT_DEVICE_QUERIES] },
          'system',
        );
        audit.record({
          actor: deviceActor(device),
          action: wasEnrolledBefore ? 'device.reenrolled' : 'device.enrolled',
          subject: { type: 'device', id: device.id, label: device.udid },
          details: {
            enrollmentId: cert.enrollment_id,
            userId: device.user_id,
            platform: device.platform,
            revokedCertificates: revoked,
          },
          sourceAddress,
        });
        wake = device.id;
      } else {
        devices.update(device.id, { last_seen_at: now });
        audit.record({
          actor: deviceActor(device),
          action: 'mdm.token_updated',
          subject: { type: 'device', id: device.id, label: device.udid },
          details: { channel },
          sourceAddress,
        });
      }
      return { reply: EMPTY, wake };
    });
  };

  const handleCheckOut = (cert: IssuedRow, msg: PlistDict, sourceAddress: string | null): MdmReply => {
    const device = boundDevice(cert, msg);
    transaction(() => {
      const now = clock.now().toISOString();
      retireLocally(device, 'inactive', 'checked_out', now);
      audit.record({
        actor: deviceActor(device),
        action: 'device.checked_out',
        subject: { type: 'device', id: device.id, label: device.udid },
        details: { from: device.status, to: 'inactive' },
        sourceAddress,
      });
    });
    return EMPTY;
  };

  const handleBootstrap = (cert: IssuedRow, msg: PlistDict, set: boolean): MdmReply => {
    const device = boundDevice(cert, msg);
    const ch = store.channel(device.id, 'device');
    if (!ch) throw bad('Authenticate first.');
    if (set) {
      const tokenValue = msg.BootstrapToken;
      const sealed =
        Buffer.isBuffer(tokenValue) && tokenValue.length > 0
          ? deps.secrets.seal(tokenValue, `bootstrap:${device.id}`)
          : null;
      transaction(() => {
        store.updateChannel(device.id, 'device', { bootstrap_token: sealed });
        audit.record({
          actor: deviceActor(device),
          action: sealed ? 'mdm.bootstrap_token_escrowed' : 'mdm.bootstrap_token_removed',
          subject: { type: 'device', id: device.id, label: device.udid },
        });
      });
      return EMPTY;
    }
    if (!ch.bootstrap_token) return EMPTY;
    const value = deps.secrets.open(ch.bootstrap_token, `bootstrap:${device.id}`);
    audit.record({
      actor: deviceActor(device),
      action: 'mdm.bootstrap_token_retrieved',
      subject: { type: 'device', id: device.id, label: device.udid },
    });
    return { status: 200, body: buildPlist({ BootstrapToken: value }), contentType: 'application/xml; charset=UTF-8' };
  };

  const afterResult = (
    device: DeviceRow,
    command: CommandRow,
    msg: PlistDict,
    sourceAddress: string | null,
    now: string,
  ) => {
    if (command.request_type === 'DeviceInformation') {
      const responses = msg.QueryResponses;
      if (isDict(responses)) {
        const info = {
          ...(JSON.parse(device.info) as Record<string, unknown>),
          ...(plistToJson(responses) as Record<string, unknown>),
        };
        devices.update(device.id, { ...factsFrom(responses), info: JSON.stringify(info), updated_at: now });
      }
    } else if (command.request_type === 'EraseDevice') {
      retireLocally(device, 'wiped', 'wiped', now);
      audit.record({
        actor: deviceActor(device),
        action: 'device.wiped',
        subject: { type: 'device', id: device.id, label: device.udid },
        details: { command: command.uuid, from: device.status, to: 'wiped' },
        sourceAddress,
      });
    } else if (command.request_type === 'RemoveProfile') {
      const identifier = (parsePlist(command.command) as { Command?: { Identifier?: string } }).Command?.Identifier;
      if (identifier === enrollmentProfileIdentifier(deps.serverId())) {
        retireLocally(device, 'inactive', 'retired', now);
        audit.record({
          actor: deviceActor(device),
          action: 'device.retired',
          subject: { type: 'device', id: device.id, label: device.udid },
          details: { command: command.uuid, from: device.status, to: 'inactive' },
          sourceAddress,
        });
      }
    }
  };

  return {
    checkin(body, signature, sourceAddress) {
      const cert = identify(body, signature);
      const msg = parse(body);
      const type = str(msg, 'MessageType', 64);
      switch (type) {
        case 'Authenticate':
          return handleAuthenticate(cert, msg, sourceAddress);
        case 'TokenUpdate': {
          const { reply, wake } = handleTokenUpdate(cert, msg, sourceAddress);
          if (wake) deps.wake(wake);
          return reply;
        }
        case 'CheckOut':
          return handleCheckOut(cert, msg, sourceAddress);
        case 'UserAuthenticate':
          // 410 declines managing this (directory or mobile) user; the device channel is unaffected.
          return { status: 410, body: '', contentType: null };
        case 'SetBootstrapToken':
          return handleBootstrap(cert, msg, true);
        case 'GetBootstrapToken':
          return handleBootstrap(cert, msg, false);
        case 'DeclarativeManagement':
        case 'GetToken':
          // Never enabled: this server sends no DeclarativeManagement command and advertises no com.apple.mdm.token.
          return {
            status: 400,
            body: `${type} is not supported by this server.`,
            contentType: 'text/plain; charset=utf-8',
          };
        default:
          throw bad(`Unknown MessageType ${JSON.stringify(type)}.`);
      }
    },

    connect(body, signature, sourceAddress) {
      const cert = identify(body, signature);
      const msg = parse(body);
      const device = boundDevice(cert, msg);
      const status = str(msg, 'Status', 32);
      if (!status || !STATUSES.has(status))
        throw bad('Status must be Idle, Acknowledged, Error, CommandFormatError or NotNow.');
      const channel = channelOf(msg);
      return transaction(() => {
        const now = clock.now().toISOString();
        if (status !== 'Idle') {
          const uuid = str(msg, 'CommandUUID', 64);
          if (!uuid) throw bad('CommandUUID is required with a result.');
          const command = store.command(uuid);
          // A device may report the same result twice; results for unknown or finished commands are ignored.
          if (command && command.device_id === device.id && ['sent', 'notnow', 'queued'].includes(command.status)) {
            const { UDID: _u, CommandUUID: _c, Status: _s, ErrorChain: chain, ...rest } = msg;
            const next: Partial<CommandRow> = { result: JSON.stringify(plistToJson(rest)) };
            if (status === 'Acknowledged') Object.assign(next, { status: 'acknowledged', completed_at: now });
            else if (status === 'Error')
              Object.assign(next, {
                status: 'error',
                completed_at: now,
                error_chain: Array.isArray(chain) ? JSON.stringify(plistToJson(chain)) : null,
              });
            else if (status === 'CommandFormatError')
              Object.assign(next, { status: 'format_error', completed_at: now });
            else Object.assign(next, { status: 'notnow' });
            store.updateCommand(uuid, next);
            audit.record({
              actor: deviceActor(device),
              action: 'mdm.command_result',
              subject: { type: 'device', id: device.id, label: device.udid },
              details: { command: uuid, requestType: command.request_type, status },
              sourceAddress,
            });
            if (status === 'Acknowledged') afterResult(device, command, msg, sourceAddress, now);
          }
        }
        devices.update(device.id, { last_seen_at: now });
        store.updateChannel(device.id, channel, { last_seen_at: now });
        const chRow = store.channel(device.id, channel);
        if (!chRow?.enabled) return EMPTY;
        // After NotNow, commands the device deferred are skipped for the rest of this connection (NanoMDM's rule).
        const nextCommand = store.nextCommand(device.id, channel, status === 'NotNow');
        if (!nextCommand) return EMPTY;
        store.updateCommand(nextCommand.uuid, { status: 'sent', sent_at: now });
        return { status: 200, body: nextCommand.command, contentType: 'application/xml; charset=UTF-8' };
      });
    },

    enqueue(deviceId, request, actor, sourceAddress) {
      const device = devices.byId(deviceId);
      if (!device || device.deleted_at)
        throw new AppError('DEVICE_NOT_FOUND', 'No device has this id.', { id: deviceId });
      if (device.platform === 'android')
        throw new AppError('COMMAND_INVALID', 'Android devices take actions through the agent, not MDM commands.', {
          field: 'type',
        });
      const ch = store.channel(device.id, 'device');
      if (!ch?.enabled)
        throw new AppError(
          'COMMAND_INVALID',
          'This device is not enrolled in MDM now, so it cannot receive commands.',
          { field: 'deviceId' },
        );
      const { command, pin } = buildCommand(request, device.platform, () => newDigits(random, 6));
      const row = transaction(() => {
        const created = enqueueRow(device.id, 'device', command, actor.label ?? actor.type);
        audit.record({
          actor,
          action: 'mdm.command_queued',
          subject: { type: 'device', id: device.id, label: device.udid },
          details: { command: created.uuid, requestType: created.request_type },
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

    shutDown(deviceId, reason) {
      const at = clock.now().toISOString();
      store.disableChannels(deviceId, reason);
      issued.revokeOthers(deviceId, null, at, reason);
      for (const ch of store.channels(deviceId)) store.cancelPending(deviceId, ch.channel, at);
    },
  };
}
