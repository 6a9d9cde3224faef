// The devices endpoints: list, counts, detail, actions on many, commands, pushes, re-enrollment, agent tokens,
// the device claims (reassign to a user, dismiss a refused claim); and opening an enrollment.
import type {
  AgentActionDto,
  AgentTokenRevokeResult,
  CommandDto,
  CommandQueuedDto,
  CommandRequest,
  DeviceActionRequest,
  DeviceActionResult,
  DeviceDetailDto,
  DeviceListQuery,
  DevicePage,
  DeviceReassignRequest,
  DeviceReenrollDto,
  DeviceSummaryDto,
  EnrollmentCreateRequest,
  EnrollmentDto,
  PushNowResult,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** Query of the devices list: filters, sort, and a page by cursor (or, for older callers, by offset). */
export type DeviceListParams = DeviceListQuery;

/** The devices endpoints. */
export interface DevicesApi {
  list(params?: DeviceListParams): Promise<DevicePage>;
  summary(): Promise<DeviceSummaryDto>;
  detail(id: string): Promise<DeviceDetailDto>;
  act(request: DeviceActionRequest): Promise<DeviceActionResult>;
  command(id: string, request: CommandRequest): Promise<CommandQueuedDto>;
  cancelCommand(id: string, uuid: string): Promise<CommandDto>;
  cancelAgentAction(id: string, actionId: string): Promise<AgentActionDto>;
  push(id: string): Promise<PushNowResult>;
  reenroll(id: string): Promise<DeviceReenrollDto>;
  revokeAgentToken(id: string): Promise<AgentTokenRevokeResult>;
  /** Lets the user enroll the device next (it moves to them when they do); answers the device's new detail. */
  reassign(id: string, request: DeviceReassignRequest): Promise<DeviceDetailDto>;
  /** Dismisses a refused claim (the device stays with its user); answers the device's new detail. */
  dismissClaim(id: string, conflictId: string): Promise<DeviceDetailDto>;
  enroll(request: EnrollmentCreateRequest): Promise<EnrollmentDto>;
  /** A user's enrollments (pending, enrolled and closed). */
  enrollments(userId: string): Promise<EnrollmentDto[]>;
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
    cancelCommand: (id, uuid) => client.delete(`${one(id)}/commands/${encodeURIComponent(uuid)}`),
    cancelAgentAction: (id, actionId) => client.delete(`${one(id)}/agent-actions/${encodeURIComponent(actionId)}`),
    push: (id) => client.post(`${one(id)}/push`),
    reenroll: (id) => client.post(`${one(id)}/reenroll`),
    revokeAgentToken: (id) => client.post(`${one(id)}/agent-token/revoke`),
    reassign: (id, request) => client.post(`${one(id)}/reassign`, request),
    dismissClaim: (id, conflictId) => client.post(`${one(id)}/claims/${encodeURIComponent(conflictId)}/dismiss`),
    enroll: (request) => client.post('/api/enrollments', request),
    enrollments: (userId) => client.get('/api/enrollments', { userId }),
  };
}
