// The devices endpoints: list, counts, detail, actions on many, commands, pushes; and opening an enrollment.
import type {
  CommandDto, CommandRequest, DeviceActionRequest, DeviceActionResult, DeviceDetailDto, DevicePage, DeviceStatus, DeviceSummaryDto,
  EnrollmentCreateRequest, EnrollmentDto, Platform,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** Query of the devices list. */
export interface DeviceListParams {
  status?: DeviceStatus;
  platform?: Platform;
  userId?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

/** What one push to one MDM channel did (the answer of POST /api/devices/:id/push). */
export interface PushOutcome {
  channel: string;
  result: { status: number; apnsId: string | null; reason: string | null } | null;
  /** Why nothing was sent on this channel (no push token yet, push disabled). */
  skipped: string | null;
}

/** The answer of "Push now". */
export interface PushNowResult {
  outcomes: PushOutcome[];
}

/** A queued command, with the PIN the server generated for a Mac lock or wipe. */
export type QueuedCommand = CommandDto & { pin?: string | null };

/** The devices endpoints. */
export interface DevicesApi {
  list(params?: DeviceListParams): Promise<DevicePage>;
  summary(): Promise<DeviceSummaryDto>;
  detail(id: string): Promise<DeviceDetailDto>;
  act(request: DeviceActionRequest): Promise<DeviceActionResult>;
  command(id: string, request: CommandRequest): Promise<QueuedCommand>;
  cancelCommand(id: string, uuid: string): Promise<void>;
  cancelAgentAction(id: string, actionId: string): Promise<void>;
  push(id: string): Promise<PushNowResult>;
  enroll(request: EnrollmentCreateRequest): Promise<EnrollmentDto>;
}

/** Builds the devices endpoints over a client. */
export function createDevicesApi(client: ApiClient): DevicesApi {
  const one = (id: string) => `/api/devices/${encodeURIComponent(id)}`;
  return {
    list: (params = {}) => client.get('/api/devices', { ...params }),
    summary: () => client.get('/api/devices/summary'),
    detail: (id) => client.get(one(id)),
    act: (request) => client.post('/api/devices/actions', request),
    command: (id, request) => client.post(`${one(id)}/commands`, request),
    cancelCommand: async (id, uuid) => { await client.delete(`${one(id)}/commands/${encodeURIComponent(uuid)}`); },
    cancelAgentAction: async (id, actionId) => { await client.delete(`${one(id)}/agent-actions/${encodeURIComponent(actionId)}`); },
    push: (id) => client.post(`${one(id)}/push`),
    enroll: (request) => client.post('/api/enrollments', request),
  };
}
