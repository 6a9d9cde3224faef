// The invitations endpoints: list, send to one or many, resend, revoke, new PIN; and the enrollment address.
import type {
  EnrollmentUrlDto,
  InvitationDto,
  InvitationPage,
  InvitationStatus,
  InviteResult,
  NewPinResult,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** Query of the invitations list. */
export interface InvitationListParams {
  status?: InvitationStatus;
  userId?: string;
  limit?: number;
  offset?: number;
}

/** The invitations endpoints. */
export interface InvitationsApi {
  list(params?: InvitationListParams): Promise<InvitationPage>;
  invite(userIds: string[]): Promise<InviteResult>;
  resend(id: string): Promise<InvitationDto>;
  revoke(id: string): Promise<InvitationDto>;
  newPin(id: string): Promise<NewPinResult>;
  enrollmentUrl(): Promise<EnrollmentUrlDto>;
  regenerateUrl(): Promise<EnrollmentUrlDto>;
}

/** Builds the invitations endpoints over a client. */
export function createInvitationsApi(client: ApiClient): InvitationsApi {
  const one = (id: string, action: string) => `/api/invitations/${encodeURIComponent(id)}/${action}`;
  return {
    list: (params = {}) => client.get('/api/invitations', { ...params }),
    invite: (userIds) => client.post('/api/invitations', { userIds }),
    resend: (id) => client.post(one(id, 'resend')),
    revoke: (id) => client.post(one(id, 'revoke')),
    newPin: (id) => client.post(one(id, 'pin')),
    enrollmentUrl: () => client.get('/api/enrollment-url'),
    regenerateUrl: () => client.post('/api/enrollment-url/regenerate'),
  };
}
