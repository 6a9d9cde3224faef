// Whether the helper may talk to a server: the certificate chain the server presented, checked against the CA
// fingerprint the helper pins (from the link, or the one the user accepted). Pure over parsed certificates, so the
// rule is tested with generated chains; api-client.ts gathers the chain from a real TLS handshake.
import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** What a TLS handshake showed: the chain as sent (leaf first) and whether the system's own trust store accepts it. */
export interface PresentedChain {
  /** DER of each certificate the server sent, leaf first. */
  chain: readonly Buffer[];
  /** The system trust store verified the chain and the host name (a public certificate). */
  systemTrusted: boolean;
}

/** The outcome of {@link decideTrust}. */
export type TrustDecision =
  | {
      ok: true;
      /** PEM of the pinned CA to trust for every later request, or null to use the system's trust store. */
      anchorPem: string | null;
      /** SHA-256 of the CA that vouches for the server (lower-case hex). */
      caSha256: string;
    }
  | { ok: false; reason: 'mismatch' | 'untrusted' | 'bad-chain'; presentedCaSha256: string };

/** SHA-256 of a certificate's DER, lower-case hex without separators. */
export function sha256Hex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

function coversHost(leaf: X509Certificate, host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return (isIP(bare) ? leaf.checkIP(bare) : leaf.checkHost(bare)) !== undefined;
}

function inDate(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/** Index of the first certificate up the chain that `chain[i]` is not issued and signed by, or the chain's length. */
function verifiedLength(certs: readonly X509Certificate[], now: number): number {
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i] as X509Certificate;
    if (!inDate(cert, now)) return i;
    const issuer = certs[i + 1];
    if (issuer === undefined) return certs.length;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey) || !issuer.ca) return i + 1;
  }
  return certs.length;
}

/**
 * Decides whether to trust a server. With a pin (`expectedCaSha256`): the chain must contain that CA, every link
 * up to it must be signed by the next, and the leaf must name the host; a public certificate the system trusts is
 * also accepted when the server's own answer names the pinned CA (checked by the caller: `anchorPem` is then null).
 * Without a pin (an address the user typed): the chain must be sound up to a self-signed CA, or system-trusted; the
 * user then confirms the fingerprint this returns.
 */
export function decideTrust(
  presented: PresentedChain,
  host: string,
  expectedCaSha256: string | null,
  now: number,
): TrustDecision {
  let certs: X509Certificate[];
  try {
    certs = presented.chain.map((der) => new X509Certificate(der));
  } catch {
    return { ok: false, reason: 'bad-chain', presentedCaSha256: '' };
  }
  const leaf = certs[0];
  const top = certs.at(-1);
  if (leaf === undefined || top === undefined) return { ok: false, reason: 'bad-chain', presentedCaSha256: '' };
  const topSha = sha256Hex(top.raw);
  const sound = verifiedLength(certs, now);
  if (expectedCaSha256 !== null) {
    const at = certs.findIndex((c) => sha256Hex(c.raw) === expectedCaSha256);
    if (at >= 0) {
      const anchor = certs[at] as X509Certificate;
      if (at > 0 && !anchor.ca) return { ok: false, reason: 'bad-chain', presentedCaSha256: expectedCaSha256 };
      if (sound <= at && at > 0) return { ok: false, reason: 'bad-chain', presentedCaSha256: expectedCaSha256 };
      if (!coversHost(leaf, host) || !inDate(leaf, now)) {
        return { ok: false, reason: 'bad-chain', presentedCaSha256: expectedCaSha256 };
      }
      return { ok: true, anchorPem: anchor.toString(), caSha256: expectedCaSha256 };
    }
    if (presented.systemTrusted) return { ok: true, anchorPem: null, caSha256: topSha };
    return { ok: false, reason: 'mismatch', presentedCaSha256: topSha };
  }
  if (presented.systemTrusted) return { ok: true, anchorPem: null, caSha256: topSha };
  const selfSigned = top.checkIssued(top) && top.verify(top.publicKey) && top.ca;
  if (sound === certs.length && selfSigned && certs.length > 1 && coversHost(leaf, host)) {
    return { ok: true, anchorPem: top.toString(), caSha256: topSha };
  }
  return { ok: false, reason: 'untrusted', presentedCaSha256: topSha };
}
