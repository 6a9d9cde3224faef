import type { Platform } from '../../contract/devices.js';
import type { IssuedRow } from '../ca/issued.store.js';
import type { Claimant } from '../devices/device-lifecycle.service.js';
import { badMessage, type AuthenticateMessage } from './checkin-messages.js';
import { EMPTY_REPLY, type MdmContext, type MdmReply } from './mdm-context.js';

/** The Apple platform a device's model names (iPhone, iPad, iPod: iOS; Mac: macOS), or null when it names none. */
export function platformOfModel(msg: Pick<AuthenticateMessage, 'facts'>): Platform | null {
  const hint = `${msg.facts.product_name ?? ''} ${msg.facts.model ?? ''} ${msg.facts.model_name ?? ''}`;
  if (/iPhone|iPad|iPod/.test(hint)) return 'ios';
  if (/Mac|iMac/.test(hint)) return 'macos';
  return null;
}

/**
 * `Authenticate` (apple-protocols §3.2): the identity claims the record of its UDID under the claim rule (the
 * lifecycle settles a contested record first, or refuses), then binds it to its enrollment: pending until
 * TokenUpdate, the device channel starting over (queued commands cancelled, no Bootstrap Token of an older
 * binding). A device whose model is not of its enrollment's platform is refused.
 */
export async function handleAuthenticate(
  ctx: MdmContext,
  cert: IssuedRow,
  msg: AuthenticateMessage,
  sourceAddress: string | null,
): Promise<MdmReply> {
  const { store, audit, clock } = ctx;
  if (msg.topic !== ctx.topic()) throw badMessage("The Topic does not match this server's push certificate.");
  const topic = msg.topic as string;
  const enrollment = ctx.enrollment.find(cert.enrollment_id);
  if (!enrollment || enrollment.status === 'closed')
    throw badMessage('The enrollment of this identity is closed; download a new profile.');
  const existing = ctx.devices.byUdid(msg.udid);
  if (cert.device_id && cert.device_id !== existing?.id) throw badMessage('This identity belongs to another device.');
  const model = platformOfModel(msg);
  if (model && model !== enrollment.platform)
    throw badMessage(
      `This enrollment is for ${enrollment.platform === 'ios' ? 'an iPhone or iPad' : 'a Mac'}, but this device is ${model === 'ios' ? 'an iPhone or iPad' : 'a Mac'}; download the profile for this device.`,
    );
  const claimant: Claimant & { enrollmentId: string } = {
    userId: enrollment.userId,
    userLabel: ctx.userLabel(enrollment.userId),
    enrollmentId: enrollment.id,
    identity: `certificate:${cert.serial}`,
  };
  if (existing) await ctx.lifecycle.settleClaim([existing], claimant, enrollment.platform, sourceAddress);
  return ctx.transaction(() => {
    const now = clock.now().toISOString();
    const { device, reenrolled } = ctx.lifecycle.claimApple({
      udid: msg.udid,
      platform: model ?? enrollment.platform,
      facts: msg.facts,
      claimant,
      certificateSerial: cert.serial,
    });
    ctx.enrollment.attachDevice(enrollment.id, device.id);
    const cancelled = store.cancelPending(device.id, 'device', now);
    // A new binding starts over: user channels of the previous one stop, its Bootstrap Token is not handed on.
    for (const ch of store.channels(device.id))
      if (ch.channel !== 'device' && ch.enabled) store.updateChannel(device.id, ch.channel, { enabled: 0 });
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
      bootstrap_token: null,
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
