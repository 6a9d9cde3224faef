import type { Clock } from '../../core/clock.js';
import { buildPlist, type PlistDict } from '../../core/plist.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { IssuedRow, IssuedStore } from '../ca/issued.store.js';
import type { DeviceLifecycle, TransitionName } from '../devices/device-lifecycle.service.js';
import type { DeviceReports, DeviceRow } from '../devices/devices.store.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { badMessage } from './checkin-messages.js';
import type { CommandHooks } from './command-hooks.js';
import type { CommandRow, MdmStore } from './mdm.store.js';

/** What the MDM handlers answer: never 401, and never the 403 that unenrolls (apple-protocols §3.3). */
export interface MdmReply {
  status: 200 | 400 | 410;
  body: string;
  contentType: string | null;
}

/** The empty 200 most check-ins get ("zero bytes, not an empty property list"). */
export const EMPTY_REPLY: MdmReply = { status: 200, body: '', contentType: null };

/** What the MDM handlers are built from. */
export interface MdmHandlerDeps {
  store: MdmStore;
  /** Device records: read them and store what the device reports; status changes go through `lifecycle`. */
  devices: DeviceReports;
  lifecycle: DeviceLifecycle;
  /** The users enrollments are for (their email labels claims in the audit trail). */
  users: { byId(id: string): { email: string } | undefined };
  issued: IssuedStore;
  enrollment: EnrollmentService;
  secrets: SecretBox;
  /** The push topic of the uploaded certificate. */
  topic: () => string | null;
  serverId: () => string;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  /** Configuration delivery's follow-ups (answers, ready channels, commands rendered when fetched). */
  hooks: CommandHooks;
}

/** The MDM handlers' shared helpers over their dependencies. */
export interface MdmContext extends MdmHandlerDeps {
  /**
   * The device a certificate speaks for: the one it is bound to (or, for a SCEP renewal, the one its enrollment is
   * bound to), checked against the message's UDID. Only the identity of the device's current binding passes;
   * an older one is refused and audited.
   */
  boundDevice(cert: IssuedRow, udid: string, sourceAddress: string | null): DeviceRow;
  /** The email of a user, for the audit trail. */
  userLabel(userId: string): string | null;
  /** The audit actor for a device. */
  deviceActor(device: Pick<DeviceRow, 'id' | 'udid'>): Actor;
  /**
   * Queues a command on a channel and returns its row; with `render`, the stored body is `command` as a placeholder
   * and the real one is made by the hooks when the device fetches it.
   */
  enqueueRow(deviceId: string, channel: string, command: PlistDict, createdBy: string, render?: string): CommandRow;
  /** Ends management on the server: the status change (lifecycle), channels off, identities revoked. */
  endManagement(
    device: DeviceRow,
    change: Extract<TransitionName, 'checkOut' | 'retire' | 'wipe'>,
    details: Record<string, unknown>,
    sourceAddress: string | null,
  ): void;
}

/** Builds the handlers' shared helpers. */
export function createMdmContext(deps: MdmHandlerDeps): MdmContext {
  const { store, devices, issued, clock, random } = deps;
  return {
    ...deps,
    boundDevice(cert, udid, sourceAddress) {
      // An identity that speaks for a live device it is not bound to is refused, and the attempt audited there.
      const refuse = (device: DeviceRow | undefined, why: string, message: string): never => {
        if (device)
          deps.audit.record({
            actor: { type: 'device', id: cert.device_id, label: udid },
            action: 'device.identity_refused',
            subject: { type: 'device', id: device.id, label: udid },
            details: {
              certificate: cert.serial,
              enrollmentId: cert.enrollment_id,
              bindingEnrollmentId: device.enrollment_id,
              why,
            },
            sourceAddress,
          });
        throw badMessage(message);
      };
      let deviceId = cert.device_id;
      if (!deviceId && cert.kind === 'RenewalReq') {
        const renewed = devices.byUdid(udid);
        if (renewed && deps.lifecycle.bindRenewal(cert.serial, cert.enrollment_id, renewed)) deviceId = renewed.id;
      }
      if (!deviceId) return refuse(devices.byUdid(udid), 'not bound', 'This identity has not sent Authenticate yet.');
      const device = devices.byId(deviceId);
      if (!device || device.deleted_at || device.udid !== udid)
        return refuse(
          devices.byUdid(udid),
          'bound to another device',
          'The UDID does not match the device this identity belongs to.',
        );
      if (device.enrollment_id !== cert.enrollment_id)
        return refuse(
          device,
          'an older binding',
          'This identity no longer speaks for this device: it was enrolled again since.',
        );
      return device;
    },

    userLabel: (userId) => deps.users.byId(userId)?.email ?? null,
    deviceActor: (device) => ({ type: 'device', id: device.id, label: device.udid }),
    enqueueRow(deviceId, channel, command, createdBy, render) {
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
        render: render ?? null,
      };
      store.insertCommand(row);
      return row;
    },
    endManagement(device, change, details, sourceAddress) {
      const at = clock.now().toISOString();
      deps.lifecycle.change(device, change, {
        actor: { type: 'device', id: device.id, label: device.udid },
        label: device.udid,
        details,
        sourceAddress,
      });
      const reason = { checkOut: 'checked_out', retire: 'retired', wipe: 'wiped' }[change];
      store.disableChannels(device.id, reason);
      issued.revokeOthers(device.id, null, at, reason);
    },
  };
}
