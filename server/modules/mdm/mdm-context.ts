import type { DeviceStatusReason } from '../../contract/devices.js';
import type { Clock } from '../../core/clock.js';
import { buildPlist, type PlistDict } from '../../core/plist.js';
import type { Random } from '../../core/random.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { IssuedRow, IssuedStore } from '../ca/issued.store.js';
import type { DeviceRow, DevicesStore } from '../devices/devices.store.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import type { EnrollmentStore } from '../enrollment/enrollment.store.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { badMessage } from './checkin-messages.js';
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
  devices: DevicesStore;
  issued: IssuedStore;
  enrollments: EnrollmentStore;
  enrollment: EnrollmentService;
  secrets: SecretBox;
  /** The push topic of the uploaded certificate. */
  topic: () => string | null;
  serverId: () => string;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
}

/** The MDM handlers' shared helpers over their dependencies. */
export interface MdmContext extends MdmHandlerDeps {
  /** The device bound to a certificate, checked against the message's UDID. */
  boundDevice(cert: IssuedRow, udid: string): DeviceRow;
  /** The audit actor for a device. */
  deviceActor(device: Pick<DeviceRow, 'id' | 'udid'>): Actor;
  /** Queues a command on a channel and returns its row. */
  enqueueRow(deviceId: string, channel: string, command: PlistDict, createdBy: string): CommandRow;
  /** Ends management on the server: status, channels off, identities revoked. */
  retireLocally(device: DeviceRow, status: 'inactive' | 'wiped', reason: DeviceStatusReason, at: string): void;
}

/** Builds the handlers' shared helpers. */
export function createMdmContext(deps: MdmHandlerDeps): MdmContext {
  const { store, devices, issued, clock, random } = deps;
  return {
    ...deps,
    boundDevice(cert, udid) {
      if (!cert.device_id) throw badMessage('This identity has not sent Authenticate yet.');
      const device = devices.byId(cert.device_id);
      if (!device || device.deleted_at || device.udid !== udid)
        throw badMessage('The UDID does not match the device this identity belongs to.');
      return device;
    },
    deviceActor: (device) => ({ type: 'device', id: device.id, label: device.udid }),
    enqueueRow(deviceId, channel, command, createdBy) {
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
    },
    retireLocally(device, status, reason, at) {
      devices.update(device.id, { status, status_reason: reason, updated_at: at });
      store.disableChannels(device.id, reason);
      issued.revokeOthers(device.id, null, at, reason);
    },
  };
}
