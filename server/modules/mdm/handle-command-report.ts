import { buildPlist, isDict, parsePlist, type PlistDict } from '../../core/plist.js';
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
  // A device may report the same result twice; results for unknown or finished commands, or for a command of another
  // device or channel, are ignored.
  if (
    !command ||
    command.device_id !== device.id ||
    command.channel !== report.channel ||
    !OPEN_STATUSES.has(command.status)
  )
    return;
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
  if (report.status !== 'NotNow' && report.status !== 'Idle')
    ctx.hooks.answered({
      deviceId: device.id,
      channel: command.channel,
      uuid,
      requestType: command.request_type,
      createdBy: command.created_by,
      render: command.render,
      command: ((parsePlist(command.command) as PlistDict).Command ?? {}) as PlistDict,
      status: report.status,
      result: report.result,
      errorChain: report.errorChain,
    });
}

/** The next command of the channel, marked sent; undefined when there is none or the channel is off. */
function handOut(ctx: MdmContext, deviceId: string, channel: string, skipDeferred: boolean, now: string) {
  if (!ctx.store.channel(deviceId, channel)?.enabled) return undefined;
  // After NotNow, commands the device deferred are skipped for the rest of this connection (NanoMDM's rule).
  const next = ctx.store.nextCommand(deviceId, channel, skipDeferred);
  if (next) ctx.store.updateCommand(next.uuid, { status: 'sent', sent_at: now });
  return next;
}

const PLIST_TYPE = 'application/xml; charset=UTF-8';

/**
 * A device on the command channel (apple-protocols §4.2): records the result it reports, then hands it the
 * next command of its channel, or an empty answer when there is none. A command queued with `render` is made now,
 * outside the transaction (a configuration profile is signed, with a fresh challenge); one that no longer applies is
 * cancelled and the next one handed out instead.
 */
export async function handleCommandReport(
  ctx: MdmContext,
  cert: IssuedRow,
  report: CommandReport,
  sourceAddress: string | null,
): Promise<MdmReply> {
  const { store } = ctx;
  const device = ctx.boundDevice(cert, report.udid, sourceAddress);
  const skipDeferred = report.status === 'NotNow';
  let next = ctx.transaction(() => {
    const now = ctx.clock.now().toISOString();
    if (report.status !== 'Idle') recordResult(ctx, device, report, sourceAddress, now);
    ctx.devices.touch(device.id, now);
    store.updateChannel(device.id, report.channel, { last_seen_at: now });
    return handOut(ctx, device.id, report.channel, skipDeferred, now);
  });
  for (;;) {
    if (!next) return EMPTY_REPLY;
    if (next.render === null) return { status: 200, body: next.command, contentType: PLIST_TYPE };
    const command = await ctx.hooks.render({
      uuid: next.uuid,
      deviceId: device.id,
      channel: next.channel,
      render: next.render,
    });
    if (command)
      return { status: 200, body: buildPlist({ CommandUUID: next.uuid, Command: command }), contentType: PLIST_TYPE };
    const gone = next.uuid;
    next = ctx.transaction(() => {
      const now = ctx.clock.now().toISOString();
      if (store.command(gone)?.status === 'sent') store.updateCommand(gone, { status: 'cancelled', completed_at: now });
      return handOut(ctx, device.id, report.channel, skipDeferred, now);
    });
  }
}
