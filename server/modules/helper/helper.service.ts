import type {
  HelperEnrollment,
  HelperEnrollmentStatus,
  HelperProfile,
  HelperServerInfo,
  HelperSession,
  HelperSignInRequest,
} from '../../contract/helper-api.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { PASSWORD_MIN, passwordRule } from '../../core/password.js';
import { portalPaths } from '../../core/portal-paths.js';
import type { PortalPrincipal, PortalService } from '../portal/portal.service.js';
import { PORTAL_SESSION_MS } from '../portal/portal.service.js';

/** The oldest macOS the helper guides: Electron 44 and later run on nothing older. */
export const HELPER_MINIMUM_MACOS = '13.0';

/** What the guided-install helper may do on the server: an adapter over the portal's sign-in and enrollments. */
export interface HelperService {
  /** Who this server is: organisation, device origin and the office CA's fingerprint. */
  info(): HelperServerInfo;
  /** Signs a Mac user in with a password, a one-time PIN and a new password, or the portal's single-use link token. */
  signIn(request: HelperSignInRequest, sourceAddress: string | null): Promise<HelperSession>;
  /** Ends a helper session (an unknown one is already ended). */
  signOut(token: string | undefined, sourceAddress: string | null): void;
  /** Opens (or reuses) the signed-in user's pending Mac enrollment. */
  openEnrollment(token: string | undefined, sourceAddress: string | null): HelperEnrollment;
  /** A fresh signed profile for one of the user's own enrollments; the previous profile's challenge is voided. */
  profile(
    token: string | undefined,
    enrollmentId: string,
    userAgent: string | undefined,
    sourceAddress: string | null,
  ): Promise<HelperProfile>;
  /** Whether one of the user's own enrollments has completed (the Mac's first TokenUpdate arrived). */
  status(token: string | undefined, enrollmentId: string): HelperEnrollmentStatus;
}

/** Dependencies of the helper service. */
export interface HelperDeps {
  portal: PortalService;
  organisation: string;
  /** Public base URL of the device listener, e.g. https://mdm.office.lan:8443 */
  deviceBaseUrl: () => string;
  /** The office CA's SHA-256 fingerprint as Node prints it (colon-separated upper-case hex). */
  caFingerprint256: () => string;
  /** The current enrollment URL key (`/e/<key>/go`). */
  urlKey: () => string;
  clock: Clock;
}

/** Builds the helper service. */
export function createHelperService(deps: HelperDeps): HelperService {
  const { portal, clock } = deps;

  const principalOf = (token: string | undefined): PortalPrincipal => {
    const principal = portal.session(token);
    if (!principal) throw new AppError('AUTH_REQUIRED', 'Your helper session has ended. Sign in again.');
    if (principal.needsPassword)
      throw new AppError(
        'AUTH_PASSWORD_CHANGE_REQUIRED',
        'Choose a new password first: sign in with the one-time PIN from your invitation and a new password.',
      );
    return principal;
  };

  const session = (token: string, principal: PortalPrincipal): HelperSession => ({
    token,
    expiresAt: new Date(clock.now().getTime() + PORTAL_SESSION_MS).toISOString(),
    user: { email: principal.user.email, displayName: principal.user.display_name },
  });

  return {
    info() {
      return {
        api: 1,
        organisation: deps.organisation,
        server: deps.deviceBaseUrl(),
        caSha256: deps.caFingerprint256().replace(/:/g, '').toLowerCase(),
        minimumMacos: HELPER_MINIMUM_MACOS,
        portalUrl: `${deps.deviceBaseUrl()}${portalPaths(deps.urlKey()).homeFor('macos')}`,
      };
    },

    async signIn(request, sourceAddress) {
      if (request.method === 'token') {
        const opened = portal.redeem(request.token, sourceAddress);
        return session(opened.token, opened.principal);
      }
      if (request.method === 'pin') {
        // The new password is checked before the PIN is spent: a refused password must not use up the PIN.
        const problem = passwordRule(request.newPassword, request.email);
        if (problem)
          throw new AppError('PASSWORD_POLICY', problem.message, {
            field: 'newPassword',
            rule: problem.rule,
            min: PASSWORD_MIN,
          });
        const opened = await portal.signIn(
          { email: request.email, secret: request.pin, invite: null, allow: 'pin', via: 'helper' },
          sourceAddress,
        );
        // A directory user has no local password (the network password is theirs): the PIN alone signs them in, and
        // the new password is not kept anywhere.
        if (opened.principal.user.source !== 'ldap')
          await portal.setPassword(opened.principal, { password: request.newPassword }, sourceAddress);
        return session(opened.token, { ...opened.principal, needsPassword: false });
      }
      const opened = await portal.signIn(
        { email: request.email, secret: request.password, invite: null, allow: 'password', via: 'helper' },
        sourceAddress,
      );
      if (opened.principal.needsPassword) {
        portal.signOut(opened.principal, sourceAddress);
        throw new AppError(
          'AUTH_PASSWORD_CHANGE_REQUIRED',
          'Your administrator gave you a temporary password. Sign in with the one-time PIN from your invitation and choose a new password, or change it in the portal first.',
        );
      }
      return session(opened.token, opened.principal);
    },

    signOut(token, sourceAddress) {
      const principal = portal.session(token);
      if (principal) portal.signOut(principal, sourceAddress);
    },

    openEnrollment(token, sourceAddress) {
      const e = portal.startEnrollment(principalOf(token), { platform: 'macos', deviceId: null }, sourceAddress);
      return { enrollmentId: e.id, status: e.status, expiresAt: e.expiresAt };
    },

    async profile(token, enrollmentId, userAgent, sourceAddress) {
      const principal = principalOf(token);
      const { enrollment } = portal.enrollment(principal, enrollmentId);
      if (enrollment.platform !== 'macos')
        throw new AppError('ENROLLMENT_NOT_FOUND', 'This enrollment is not for a Mac.');
      const download = await portal.downloadProfile(principal, enrollmentId, userAgent, sourceAddress);
      return {
        enrollmentId,
        expiresAt: download.expiresAt,
        validSeconds: Math.max(0, Math.floor((Date.parse(download.expiresAt) - clock.now().getTime()) / 1000)),
        fileName: 'tsunagu-enrollment.mobileconfig',
        profile: download.body.toString('base64'),
      };
    },

    status(token, enrollmentId) {
      const { enrollment, status } = portal.enrollment(principalOf(token), enrollmentId);
      return {
        enrollmentId,
        status: enrollment.status,
        tokenUpdateSeen: enrollment.status === 'enrolled',
        profile: status,
      };
    },
  };
}
