import { isDict, parsePlist } from '../../core/plist.js';
import type { IssuedRow } from '../ca/issued.store.js';
import type { DeviceRow } from '../devices/devices.store.js';
import { enrollmentProfileIdentifier } from '../profiles/enrollment-profile.js';
import { factsFrom, type CommandReport } from './checkin-messages.js';
import { EMPTY_REPLY, type MdmContext, type MdmReply } from './mdm-context.js';
import type { CommandRow } from './mdm.store.js';
import { plistToJson } from './plist-json.js';

const OPEN_STATUSES = new Set(['sent', 'notnow', 'queued']);

/** What an acknowledged command changes on the server: device facts, a wipe, or the end of management. */
function afterAcknowledged(
  ctx: MdmContext,
  device: DeviceRow,
  command: CommandRow,
  report: CommandReport,
  sourceAddress: string | null,
  now: string,
): void {
  if (command.request_type === 'DeviceInformation') {
    const responses = report.result.QueryResponses;
    if (isDict(responses)) {
      const info = {
        ...(JSON.parse(ctx.devices.info(device.id)) as Record<string, unknown>),
        ...(plistToJson(responses) as Record<string, unknown>),
      };
      ctx.devices.recordFacts(device.id, factsFrom(responses), now, JSON.stringify(info));
    }
  } else if (command.request_type === 'EraseDevice') {
    ctx.endManagement(device, 'wipe', { command: command.uuid }, sourceAddress);
  } else if (command.request_type === 'RemoveProfile') {
    const identifier = (parsePlist(command.command) as { Command?: { Identifier?: string } }).Command?.Identifier;
    if (identifier === enrollmentProfileIdentifier(ctx.serverId())) {
      ctx.endManagement(device, 'retire', { command: command.uuid }, sourceAddress);
    }
  }
}

/** Records a command's result, if the report carries one for a command of this device that is still open. */
function recordResult(
  ctx: MdmContext,
  device: DeviceRow,
  report: CommandReport,
  sourceAddress: string | null,
  now: string,
): void {
  const uuid = report.commandUuid as string;
  const command = ctx.store.command(uuid);
  // A device may report the same result twice; results for unknown or finished commands are ignored.
  if (!command || command.device_id !== device.id || !OPEN_STATUSES.has(command.status)) return;
  const next: Partial<CommandRow> = { result: JSON.stringify(plistToJson(report.result)) };
  if (report.status === 'Acknowledged') Object.assign(next, { status: 'acknowledged', completed_at: now });
  else if (report.status === 'Error')
    Object.assign(next, {
      status: 'error',
      completed_at: now,
      error_chain: report.errorChain ? JSON.stringify(plistToJson(report.errorChain)) : null,
    });
  else if (report.status === 'CommandFormatError') Object.assign(next, { status: 'format_error', completed_at: now });
  else Object.assign(next, { status: 'notnow' });
  ctx.store.updateCommand(uuid, next);
  ctx.audit.record({
    actor: ctx.deviceActor(device),
    action: 'mdm.command_result',
    subject: { type: 'device', id: device.id, label: device.udid },
    details: { command: uuid, requestType: command.request_type, status: report.status },
    sourceAddress,
  });
  if (report.status === 'Acknowledged') afterAcknowledged(ctx, device, command, report, sourceAddress, now);
}

/**
 * A device on the command channel (apple-protocols §4.2): records the result it reports, then hands it the
 * next command of its channel, or an empty answer when there is none.
 */
export function handleCommandReport(
  ctx: MdmContext,
  cert: IssuedRow,
  report: CommandReport,
  sourceAddress: string | null,
): MdmReply {
  const { store } = ctx;
  const device = ctx.boundDevice(cert, report.udid, sourceAddress);
  return ctx.transaction(() => {
    const now = ctx.clock.now().toISOString();
    if (report.status !== 'Idle') recordResult(ctx, device, report, sourceAddress, now);
    ctx.devices.touch(device.id, now);
    store.updateChannel(device.id, report.channel, { last_seen_at: now });
    if (!store.channel(device.id, report.channel)?.enabled) return EMPTY_REPLY;
    // After NotNow, commands the device deferred are skipped for the rest of this connection (NanoMDM's rule).
    const nextCommand = store.nextCommand(device.id, report.channel, report.status === 'NotNow');
    if (!nextCommand) return EMPTY_REPLY;
    store.updateCommand(nextCommand.uuid, { status: 'sent', sent_at: now });
    return { status: 200, body: nextCommand.command, contentType: 'application/xml; charset=UTF-8' };
  });
}
