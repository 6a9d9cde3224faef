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
  const device = ctx.boundDevice(cert, msg.udid, sourceAddress);
  ctx.transaction(() => ctx.endManagement(device, 'checkOut', {}, sourceAddress));
  return EMPTY_REPLY;
}
