/** The steps an invitation goes through, in order, until the device is enrolled. */
export const INVITATION_STEPS = [
  'created',
  'sent',
  'opened',
  'pin_verified',
  'profile_downloaded',
  'enrolled',
] as const;

/** One of the forward steps. */
export type InvitationStep = (typeof INVITATION_STEPS)[number];

/** Every invitation status: the steps in order, then the two that end an invitation before enrollment. */
export const INVITATION_STATUSES = [...INVITATION_STEPS, 'expired', 'revoked'] as const;

/** Invitation states: created -> sent -> opened -> pin_verified -> profile_downloaded -> enrolled, or expired, revoked. */
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** An invitation as the console sees it. */
export interface InvitationDto {
  id: string;
  userId: string;
  userEmail: string;
  userDisplayName: string;
  status: InvitationStatus;
  hasPin: boolean;
  pinLocked: boolean;
  urlVersion: number;
  expiresAt: string;
  sentAt: string | null;
  openedAt: string | null;
  pinVerifiedAt: string | null;
  profileDownloadedAt: string | null;
  enrolledAt: string | null;
  revokedAt: string | null;
  remindersSent: number;
  /** Status of the latest invitation email in the outbox. */
  mailStatus: 'queued' | 'sent' | 'failed' | 'cancelled' | null;
  createdAt: string;
}

/** Send invitations to one or many users. */
export interface InviteRequest {
  userIds: string[];
}

/** The invitations created, and users that could not be invited (with the reason). */
export interface InviteResult {
  invitations: InvitationDto[];
  skipped: { userId: string; reason: 'not_found' | 'disabled'; message: string }[];
}

/** A new PIN issued by an admin: shown once, and mailed to the user. */
export interface NewPinResult {
  invitation: InvitationDto;
  pin: string;
}

/** The enrollment URL users open; regenerating it refuses links of older versions. */
export interface EnrollmentUrlDto {
  version: number;
  url: string;
}

/** One page of invitations. */
export interface InvitationPage {
  items: InvitationDto[];
  total: number;
}
