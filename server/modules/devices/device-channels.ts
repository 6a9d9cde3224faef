import type { AgentAction } from '../../contract/agent.js';
import type { Actor } from '../../contract/audit.js';
import type {
  AgentActionDto,
  CommandDto,
  CommandQueuedDto,
  CommandRequest,
  DeviceCaReportDto,
  DeviceDetailDto,
  PushNowResult,
} from '../../contract/devices.js';

// The ways to reach an enrolled device, as the device actions and the device routes need them. The mdm,
// agent and push modules implement these ports and server/compose.ts wires them in, so devices/ never
// imports the modules that build on it.

/** Apple devices: the MDM command queue and local shut-down (the mdm module). */
export interface AppleChannel {
  /** Queues a command and wakes the device; `pin` is the PIN generated for a lock or wipe, if any. */
  enqueue(deviceId: string, request: CommandRequest, actor: Actor, sourceAddress: string | null): CommandQueuedDto;
  /** The device's commands, newest first. */
  commands(deviceId: string, limit?: number): CommandDto[];
  /** Cancels a command the device has not fetched yet. */
  cancel(deviceId: string, uuid: string, actor: Actor, sourceAddress: string | null): CommandDto;
  /** The device with its channels and commands (the agent actions and claims are added by the device actions). */
  detail(deviceId: string): DeviceDetailDto;
  /** Stops managing the device locally: channels off, identities revoked, queue cancelled. */
  shutDown(deviceId: string, reason: string): void;
}

/** Android devices: the agent's action queue and tokens (the agent module). */
export interface AgentChannel {
  /** Queues an action for the device's agent. */
  queue(
    deviceId: string,
    type: AgentAction['type'],
    params: AgentAction['params'],
    actor: Actor,
    sourceAddress: string | null,
  ): AgentActionDto;
  /** Cancels an action the agent has not fetched yet. */
  cancel(deviceId: string, actionId: string, actor: Actor, sourceAddress: string | null): AgentActionDto;
  /** The device's agent actions, newest first. */
  actions(deviceId: string, limit?: number): AgentActionDto[];
  /** Revokes the device's agent tokens; returns how many were still working. */
  revokeToken(deviceId: string, reason: string, actor: Actor, sourceAddress: string | null): number;
  /** Ends everything the agent of the device may still do. */
  shutDown(deviceId: string, reason: string): void;
  /** The user-installed CA certificates the device's agent last reported, each flagged office or unknown. */
  caReport(deviceId: string): DeviceCaReportDto | null;
  /** A single-use agent QR payload that enrolls a device for this user (Android re-enrollment). */
  enrollmentQr(userId: string, sourceAddress: string | null): { payload: string; expiresAt: string };
}

/** Wakes an Apple device over APNs now (the push module); one outcome per channel. */
export type PushNow = (deviceId: string) => Promise<PushNowResult['outcomes']>;
