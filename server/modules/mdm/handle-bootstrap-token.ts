import { buildPlist } from '../../core/plist.js';
import type { IssuedRow } from '../ca/issued.store.js';
import { badMessage, type BootstrapTokenMessage } from './checkin-messages.js';
import { EMPTY_REPLY, type MdmContext, type MdmReply } from './mdm-context.js';

/**
 * `SetBootstrapToken` escrows a Mac's Bootstrap Token, sealed at rest (none removes it); `GetBootstrapToken`
 * hands it back (apple-protocols §3.2). Both only for the identity of the device's current binding (checked by
 * `boundDevice`); a new binding starts without a token, so a token is only returned to the binding that escrowed it.
 */
export function handleBootstrapToken(
  ctx: MdmContext,
  cert: IssuedRow,
  msg: BootstrapTokenMessage,
  sourceAddress: string | null,
): MdmReply {
  const { store, audit, secrets } = ctx;
  const device = ctx.boundDevice(cert, msg.udid, sourceAddress);
  const ch = store.channel(device.id, 'device');
  if (!ch) throw badMessage('Authenticate first.');
  if (msg.type === 'SetBootstrapToken') {
    const sealed = msg.token ? secrets.seal(msg.token, `bootstrap:${device.id}`) : null;
    ctx.transaction(() => {
      store.updateChannel(device.id, 'device', { bootstrap_token: sealed });
      audit.record({
        actor: ctx.deviceActor(device),
        action: sealed ? 'mdm.bootstrap_token_escrowed' : 'mdm.bootstrap_token_removed',
        subject: { type: 'device', id: device.id, label: device.udid },
      });
    });
    return EMPTY_REPLY;
  }
  if (!ch.bootstrap_token) return EMPTY_REPLY;
  const value = secrets.open(ch.bootstrap_token, `bootstrap:${device.id}`);
  audit.record({
    actor: ctx.deviceActor(device),
    action: 'mdm.bootstrap_token_retrieved',
    subject: { type: 'device', id: device.id, label: device.udid },
  });
  return { status: 200, body: buildPlist({ BootstrapToken: value }), contentType: 'application/xml; charset=UTF-8' };
}
