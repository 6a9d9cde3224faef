import type { Platform } from './devices.js';

/** A pending enrollment an admin (or the portal) opened for one user and one device. */
export interface EnrollmentDto {
  id: string;
  userId: string;
  platform: Platform;
  status: 'pending' | 'enrolled' | 'closed';
  expiresAt: string;
  deviceId: string | null;
  createdAt: string;
  /** The profile download URL, only in the answer that created it (it holds a bearer token). */
  profileUrl?: string;
}

/** Open an enrollment for a user. */
export interface EnrollmentCreateRequest {
  userId: string;
  platform: Platform;
}
