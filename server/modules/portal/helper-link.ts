// The deep link that opens the macOS helper from the portal's Mac page. The helper's parser is
// electron/helper/deep-link.ts (`parseDeepLink`); the server may not import from electron/, so the format is written
// again here, and helper-link.test.ts checks that the parser reads what this writes.

/** What the portal puts into a helper link. */
export interface HelperLinkInput {
  /** The device listener's HTTPS origin, e.g. `https://mdm.office.lan:8443`. */
  server: string;
  /** The office CA's SHA-256 fingerprint in any spelling (Node writes `AB:CD:…`). */
  caFingerprint256: string;
  /** A single-use portal sign-in token. */
  token: string;
}

/** A SHA-256 fingerprint as the link carries it: lower-case hex without separators. */
export function linkFingerprint(fingerprint256: string): string {
  return fingerprint256.replace(/[\s:]/g, '').toLowerCase();
}

/** Writes `tsunagu://enroll?server=<origin>&ca=<sha256 hex>&token=<token>`. */
export function helperDeepLink(input: HelperLinkInput): string {
  const params = new URLSearchParams({
    server: new URL(input.server).origin,
    ca: linkFingerprint(input.caFingerprint256),
    token: input.token,
  });
  return `tsunagu://enroll?${params.toString()}`;
}
