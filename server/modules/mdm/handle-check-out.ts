import type { IssuedRow } from '../ca/issued.store.js';
import type { CheckOutMessage } from './checkin-messages.js';
import { EMPTY_REPLY, type MdmContext, type MdmReply } from './mdm-context.js';

/** `CheckOut` (apple-protocols §3.2): the user removed the management profile; the device turns Inactive. */
export function handleCheckOut(
  ctx: MdmContext,
  cert: IssuedRow,
  msg: CheckOutMessage,
  sourceAddress: string | null,
): MdmReply {
  const device = ctx.boundDevice(cert, msg.udid);
  ctx.transaction(() => {
    const now = ctx.clock.now().toISOString();
    ctx.retireLocally(device, 'inactive', 'checked_out', now);
    ctx.audit.record({
      actor: ctx.deviceActor(device),
      action: 'device.checked_out',
      subject: { type: 'device', id: device.id, label: device.udid },
      details: { from: device.status, to: 'inactive' },
      sourceAddress,
    });
  });
  return EMPTY_REPLY;
}
