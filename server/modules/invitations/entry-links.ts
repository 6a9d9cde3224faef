import { invitationFragment, portalPaths } from '../../core/portal-paths.js';
import type { EnrollmentUrls } from './enrollment-url.js';

/**
 * The addresses people are given to reach the /go portal (invitation emails and their QR codes, the console's
 * enrollment address, the printed `/go` address). While the device listener uses a certificate from the office CA,
 * a fresh device does not trust it and its browser would stop at a warning before showing anything of ours, so the
 * addresses lead to the first-visit page on the plain-HTTP bootstrap listener instead, which checks trust, shows how
 * to trust the CA, and hands on to HTTPS. Tokens then travel only in the fragment, which browsers never send.
 */
export interface EntryLinks {
  /** True when the addresses lead through the first-visit page (the office CA is in use). */
  throughFirstVisit(): boolean;
  /** The sign-in page of the current enrollment URL key. */
  portal(): string;
  /** An invitation's link: its token in the fragment (first visit) or in the path (HTTPS). */
  invitation(token: string): string;
  /** The short `/go` address, which always leads to the current sign-in page. */
  go(): string;
}

/** Builds the entry addresses over the enrollment URL key and the two listeners' base URLs. */
export function createEntryLinks(deps: {
  urls: Pick<EnrollmentUrls, 'current'>;
  /** True while the device listener's certificate comes from the office CA (not an imported, publicly trusted one). */
  officeCa: () => boolean;
  deviceBaseUrl: () => string;
  bootstrapBaseUrl: () => string;
}): EntryLinks {
  const paths = () => portalPaths(deps.urls.current().key);
  const firstVisit = () => deps.officeCa();
  return {
    throughFirstVisit: firstVisit,
    portal: () => `${firstVisit() ? deps.bootstrapBaseUrl() : deps.deviceBaseUrl()}${paths().base}`,
    invitation: (token) =>
      firstVisit()
        ? `${deps.bootstrapBaseUrl()}${paths().base}${invitationFragment(token)}`
        : `${deps.deviceBaseUrl()}${paths().invitation(token)}`,
    go: () => `${firstVisit() ? deps.bootstrapBaseUrl() : deps.deviceBaseUrl()}/go`,
  };
}
