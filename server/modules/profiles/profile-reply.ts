import type { FastifyReply } from 'fastify';
import { PROFILE_TYPE } from './enrollment-profile.js';

/** Sends a freshly signed enrollment profile as a download that no cache keeps, with its expiry in a header. */
export function sendProfile(reply: FastifyReply, profile: { body: Buffer; expiresAt: string }): FastifyReply {
  return reply
    .type(PROFILE_TYPE)
    .header('content-disposition', 'attachment; filename="tsunagu-enrollment.mobileconfig"')
    .header('cache-control', 'no-store')
    .header('x-profile-expires-at', profile.expiresAt)
    .send(profile.body);
}
