import type { Platform } from '../../contract/devices.js';
import type { IssuedRow } from '../ca/issued.store.js';
import type { DeviceRow } from '../devices/devices.store.js';
import { badMessage, type AuthenticateMessage } from './checkin-messages.js';
import { EMPTY_REPLY, type MdmContext, type MdmReply } from './mdm-context.js';

/** The platform a device's model names, or `fallback` (the enrollment's) when it names none we know. */
function platformOf(msg: AuthenticateMessage, fallback: Platform): Platform {
  const hint = `${msg.facts.product_name ?? ''} ${msg.facts.model ?? ''} ${msg.facts.model_name ?? ''}`;
  if (/iPhone|iPad|iPod/.test(hint)) return 'ios';
  if (/Mac|iMac/.test(hint)) return 'macos';
  return fallback;
}

/**
 * `Authenticate` (apple-protocols §3.2): binds the identity to the device record of its UDID (created, or the
 * existing one: re-enrollment keeps one record) and to its enrollment; the device is pending until TokenUpdate.
 */
export function handleAuthenticate(
  ctx: MdmContext,
  cert: IssuedRow,
  msg: AuthenticateMessage,
  sourceAddress: string | null,
): MdmReply {
  const { store, devices, issued, audit, clock, random } = ctx;
  if (msg.topic !== ctx.topic()) throw badMessage("The Topic does not match this server's push certificate.");
  const topic = msg.topic as string;
  return ctx.transaction(() => {
    const enrollment = ctx.enrollments.byId(cert.enrollment_id);
    if (!enrollment || enrollment.status === 'closed')
      throw badMessage('The enrollment of this identity is closed; download a new profile.');
    const now = clock.now().toISOString();
    let device = devices.byUdid(msg.udid);
    if (cert.device_id && cert.device_id !== device?.id) throw badMessage('This identity belongs to another device.');
    const reenrolled = device !== undefined;
    if (!device) {
      const created: DeviceRow = {
        id: random.uuid(),
        platform: platformOf(msg, enrollment.platform),
        user_id: enrollment.user_id,
        udid: msg.udid,
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
      devices.insert({ ...created, ...msg.facts });
      device = created;
    } else {
      // The same UDID lands on its existing record (no duplicates); it is pending until its TokenUpdate.
      devices.update(device.id, {
        ...msg.facts,
        user_id: enrollment.user_id,
        status: 'pending',
        status_reason: 'reenrolling',
        enrollment_id: enrollment.id,
        last_seen_at: now,
        updated_at: now,
      });
    }
    issued.bindDevice(cert.serial, device.id);
    ctx.enrollments.update(enrollment.id, { device_id: device.id, updated_at: now });
    const cancelled = store.cancelPending(device.id, 'device', now);
    store.upsertChannel({
      device_id: device.id,
      channel: 'device',
      user_id_apple: null,
      user_short_name: null,
      user_long_name: null,
      topic,
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
      actor: ctx.deviceActor(device),
      action: 'mdm.authenticated',
      subject: { type: 'device', id: device.id, label: msg.udid },
      details: {
        enrollmentId: enrollment.id,
        certificate: cert.serial,
        reenrollment: reenrolled,
        cancelledCommands: cancelled,
        serialNumber: msg.serialNumber,
        model: msg.model,
      },
      sourceAddress,
    });
    return EMPTY_REPLY;
  });
}
