// Invitations: the filtered list, sending, resending, revoking, new PINs; and the versioned enrollment address.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import {
  INVITATION_STEPS,
  type EnrollmentUrlDto,
  type InvitationDto,
  type InvitationStatus,
  type InvitationStep,
  type InviteResult,
  type NewPinResult,
  type UserDto,
} from '../../server/contract/index.js';
import { useApi } from '../api/index.js';
import { useOffsetList } from './paging.js';

/** How many invitations one page of the list holds. */
export const INVITATIONS_PAGE_SIZE = 50;

/** How far an invitation got: the last step reached (0-based), and why it stopped when it is closed. */
export interface InvitationProgress {
  reached: number;
  step: InvitationStep;
  closed: 'expired' | 'revoked' | null;
}

type Stamped = Pick<
  InvitationDto,
  'status' | 'sentAt' | 'openedAt' | 'pinVerifiedAt' | 'profileDownloadedAt' | 'enrolledAt'
>;
const STAMPS: readonly (Exclude<keyof Stamped, 'status'> | null)[] = [
  null,
  'sentAt',
  'openedAt',
  'pinVerifiedAt',
  'profileDownloadedAt',
  'enrolledAt',
];

/** Where an invitation stands: its step, or for an expired or revoked one, the furthest step its timestamps show. */
export function invitationProgress(invitation: Stamped): InvitationProgress {
  const forward = (INVITATION_STEPS as readonly string[]).indexOf(invitation.status);
  if (forward >= 0) return { reached: forward, step: INVITATION_STEPS[forward] as InvitationStep, closed: null };
  let reached = 0;
  STAMPS.forEach((stamp, i) => {
    if (stamp && invitation[stamp]) reached = i;
  });
  return {
    reached,
    step: INVITATION_STEPS[reached] as InvitationStep,
    closed: invitation.status === 'expired' ? 'expired' : 'revoked',
  };
}

/** True while an invitation can still be resent, revoked or given a new PIN (the server's "open" states). */
export function isOpenInvitation(invitation: Pick<InvitationDto, 'status'>): boolean {
  return invitation.status !== 'enrolled' && invitation.status !== 'expired' && invitation.status !== 'revoked';
}

/** Why a user was not invited: the user no longer exists, or is disabled. */
export type InviteSkipReason = InviteResult['skipped'][number]['reason'];

/** A user the invitation could not be sent to, with the user's name and email when the console knows them. */
export interface SkippedUser {
  userId: string;
  /** `Name <email>` of a user the admin picked, or null when the console does not know the user. */
  label: string | null;
  reason: InviteSkipReason;
  /** The server's own words, for a reason this console does not know yet. */
  message: string;
}

/** The skipped users of an invite, named from `known` (the users the admin picked). */
export function skippedUsers(
  result: InviteResult,
  known: Pick<UserDto, 'id' | 'email' | 'displayName'>[],
): SkippedUser[] {
  const byId = new Map(known.map((u) => [u.id, u]));
  return result.skipped.map((s) => {
    const user = byId.get(s.userId);
    return {
      userId: s.userId,
      label: user ? `${user.displayName} <${user.email}>` : null,
      reason: s.reason,
      message: s.message,
    };
  });
}

/** The invitations store: one filtered list (paged by offset), the actions on it, and the enrollment address. */
export const useInvitationsStore = defineStore('invitations', () => {
  const api = useApi();
  const status = ref<InvitationStatus | ''>('');
  const enrollmentUrl = ref<EnrollmentUrlDto | null>(null);

  // The list under the current filter, paged by offset.
  const { items, total, loading, loaded, hasMore, reload, loadMore } = useOffsetList(
    (limit, offset) => api.invitations.list({ status: status.value || undefined, limit, offset }),
    INVITATIONS_PAGE_SIZE,
  );

  /** Shows only invitations in `next` ('' for all). */
  async function filter(next: InvitationStatus | ''): Promise<void> {
    status.value = next;
    items.value = [];
    await reload();
  }

  function replace(invitation: InvitationDto): void {
    items.value = items.value.map((i) => (i.id === invitation.id ? invitation : i));
  }

  /** Sends invitations to users (an open invitation of the same user is replaced); reloads the list. */
  async function invite(userIds: string[]): Promise<InviteResult> {
    const result = await api.invitations.invite(userIds);
    if (loaded.value) await reload();
    return result;
  }

  /** Sends the invitation again with a fresh link (and PIN when needed). */
  async function resend(id: string): Promise<InvitationDto> {
    const invitation = await api.invitations.resend(id);
    replace(invitation);
    return invitation;
  }

  /** Withdraws an invitation: its link and PIN stop working. */
  async function revoke(id: string): Promise<InvitationDto> {
    const invitation = await api.invitations.revoke(id);
    replace(invitation);
    return invitation;
  }

  /** Issues a new PIN (also mailed to the user); unlocks a locked PIN. */
  async function newPin(id: string): Promise<NewPinResult> {
    const result = await api.invitations.newPin(id);
    replace(result.invitation);
    return result;
  }

  /** Users whose email or name matches `q`, for picking whom to invite. */
  async function findUsers(q: string): Promise<UserDto[]> {
    return (await api.users.list({ q: q.trim() || undefined, limit: 20 })).items;
  }

  /** Loads the current enrollment address. */
  async function loadEnrollmentUrl(): Promise<EnrollmentUrlDto> {
    enrollmentUrl.value = await api.invitations.enrollmentUrl();
    return enrollmentUrl.value;
  }

  /** Makes a new enrollment address; links of older versions stop working. */
  async function regenerateUrl(): Promise<EnrollmentUrlDto> {
    enrollmentUrl.value = await api.invitations.regenerateUrl();
    return enrollmentUrl.value;
  }

  return {
    items,
    total,
    status,
    loading,
    loaded,
    hasMore,
    enrollmentUrl,
    reload,
    loadMore,
    filter,
    invite,
    resend,
    revoke,
    newPin,
    findUsers,
    loadEnrollmentUrl,
    regenerateUrl,
  };
});
