/** The /go portal's paths under one enrollment URL key: the one place they are spelled out. */
export interface PortalPaths {
  /** `/e/<key>/go`: the sign-in page. */
  base: string;
  /** Where an invitation link leads: `/e/<key>/i/<token>/go`. */
  invitation(token: string): string;
  signIn: string;
  password: string;
  home: string;
  /** The home page for one platform's instructions. */
  homeFor(platform: string): string;
  /** The sign-in page saying the session ended. */
  ended: string;
  enroll: string;
  enrollment(id: string): string;
  enrollmentStatus(id: string): string;
  enrollmentProfile(id: string): string;
  qr: string;
  /** What a sign-in QR code opens on another device. */
  token(token: string): string;
  signOut: string;
}

/** The portal's paths for an enrollment URL key (path segments are percent-encoded; real keys and ids need none). */
export function portalPaths(key: string): PortalPaths {
  const k = encodeURIComponent(key);
  const base = `/e/${k}/go`;
  const enrollment = (id: string) => `${base}/enroll/${encodeURIComponent(id)}`;
  return {
    base,
    invitation: (token) => `/e/${k}/i/${encodeURIComponent(token)}/go`,
    signIn: `${base}/sign-in`,
    password: `${base}/password`,
    home: `${base}/home`,
    homeFor: (platform) => `${base}/home?${new URLSearchParams({ platform }).toString()}`,
    ended: `${base}?ended=1`,
    enroll: `${base}/enroll`,
    enrollment,
    enrollmentStatus: (id) => `${enrollment(id)}/status`,
    enrollmentProfile: (id) => `${enrollment(id)}/profile`,
    qr: `${base}/qr`,
    token: (token) => `${base}/t/${encodeURIComponent(token)}`,
    signOut: `${base}/sign-out`,
  };
}

/**
 * The fragment that carries an invitation token to the first-visit page on the plain-HTTP bootstrap listener
 * (`#invite=<token>`): a browser never sends a fragment, so the token stays off plain HTTP, and the page's script hands
 * it on to the HTTPS portal (server/http/assets/first-visit.js reads it).
 */
export function invitationFragment(token: string): string {
  return `#invite=${encodeURIComponent(token)}`;
}
