import type { IssuedRow } from '../ca/issued.store.js';
import { badMessage, type TokenUpdateMessage } from './checkin-messages.js';
import { DEFAULT_DEVICE_QUERIES } from './commands.js';
import { EMPTY_REPLY, type MdmContext, type MdmReply } from './mdm-context.js';
import type { ChannelRow } from './mdm.store.js';

/**
 * `TokenUpdate` (apple-protocols §3.2): stores a channel's push token. The device channel's first one completes
 * the enrollment: the device turns Active, older identities are revoked and DeviceInformation is queued.
 * Returns the device to wake, if any (after the transaction).
 */
export function handleTokenUpdate(
  ctx: MdmContext,
  cert: IssuedRow,
  msg: TokenUpdateMessage,
  sourceAddress: string | null,
): { reply: MdmReply; wake: string | null } {
  const { store, devices, issued, audit, clock } = ctx;
  const device = ctx.boundDevice(cert, msg.udid, sourceAddress);
  const topic = msg.topic ?? ctx.topic() ?? '';
  const { channel } = msg;
  return ctx.transaction(() => {
    const now = clock.now().toISOString();
    const existing = store.channel(device.id, channel);
    if (channel === 'device' && !existing?.authenticated_at) throw badMessage('TokenUpdate came before Authenticate.');
    const row: ChannelRow = {
      device_id: device.id,
      channel,
      user_id_apple: msg.userId,
      user_short_name: msg.userShortName,
      user_long_name: msg.userLongName,
      topic,
      push_magic: msg.pushMagic,
      token_hex: msg.token.toString('hex'),
      // An absent UnlockToken does not invalidate a stored one (apple-protocols §3.2).
      unlock_token: msg.unlockToken
        ? ctx.secrets.seal(msg.unlockToken, `unlock:${device.id}`)
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
    if (channel !== 'device' || device.status === 'active') {
      devices.touch(device.id, now);
      audit.record({
        actor: ctx.deviceActor(device),
        action: 'mdm.token_updated',
        subject: { type: 'device', id: device.id, label: device.udid },
        details: { channel },
        sourceAddress,
      });
      // A Mac user's channel can take what is meant for that user now.
      const queued = channel !== 'device' && device.status === 'active' && ctx.hooks.channelReady(device.id, channel);
      return { reply: EMPTY_REPLY, wake: queued ? device.id : null };
    }
    const wasEnrolledBefore = device.enrolled_at !== null;
    devices.touch(device.id, now);
    ctx.enrollment.markEnrolled(cert.enrollment_id, device.id);
    const revoked = issued.revokeOthers(device.id, cert.serial, now, 'superseded by re-enrollment');
    ctx.enqueueRow(
      device.id,
      'device',
      { RequestType: 'DeviceInformation', Queries: [...DEFAULT_DEVICE_QUERIES] },
      'system',
    );
    ctx.lifecycle.change(device, 'activate', {
      actor: ctx.deviceActor(device),
      action: wasEnrolledBefore ? 'device.reenrolled' : 'device.enrolled',
      label: device.udid,
      details: {
        enrollmentId: cert.enrollment_id,
        userId: device.user_id,
        platform: device.platform,
        revokedCertificates: revoked,
      },
      sourceAddress,
    });
    return { reply: EMPTY_REPLY, wake: device.id };
  });
}
