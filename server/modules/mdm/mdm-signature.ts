import { createHash, X509Certificate } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { CertificateRef } from '../../pki/certificate-ref.js';
import { CmsError, verifyCms } from '../../pki/cms.js';
import { isPkiError } from '../../pki/errors.js';
import { checkDeviceKey } from '../../pki/key-policy.js';
import type { IssuedRow, IssuedStore } from '../ca/issued.store.js';

// The Mdm-Signature header (apple-protocols §3.1, SignMessage): a detached CMS signature over the exact body,
// made with the identity certificate SCEP issued to the device. The certificate is judged before its key is used:
// a known serial, the very bytes we issued, an MDM identity (not one a configuration carries: a Wi-Fi identity's key
// may be exportable from a Mac's keychain, and must never speak for the device), not revoked, signed by the office CA,
// a key within the device key bounds. Only then is the signature verified with it, so a stranger's certificate costs
// no RSA operation.

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** How many checked signer certificates are remembered (one per enrolled Apple device is the working set). */
const SIGNER_CACHE = 4096;
/** Longest Mdm-Signature header accepted (a signature with a 4096-bit certificate is about 3 KiB of base64). */
const MAX_SIGNATURE_CHARS = 16_384;

/** What the signature check needs: the office CA, the issued certificates, and the time. */
export interface MdmSignatureDeps {
  /** The office CA certificate (PEM) that issued device identities. */
  caPem: () => string;
  issued: Pick<IssuedStore, 'bySerial'>;
  clock: Clock;
}

/** Checks a message's Mdm-Signature and returns the SCEP-issued certificate that made it. */
export type IdentifySigner = (body: Buffer, signature: string | undefined) => IssuedRow;

const refused = (message: string) => new AppError('MDM_SIGNATURE_INVALID', message);

/** Builds the Mdm-Signature check; every refusal is MDM_SIGNATURE_INVALID with the reason. */
export function createSignerCheck(deps: MdmSignatureDeps): IdentifySigner {
  // Parsed once per CA certificate, not per message.
  let caCache: { pem: string; x509: X509Certificate } | null = null;
  const officeCa = (): X509Certificate => {
    const pem = deps.caPem();
    if (caCache?.pem !== pem) caCache = { pem, x509: new X509Certificate(pem) };
    return caCache.x509;
  };

  // The CA signature, key usage and key bounds are facts of the certificate's bytes under one CA: checked once per
  // certificate (a device signs every message with the same one), at most SIGNER_CACHE entries, oldest dropped.
  // The CA's key is ours, so the one signature check here has a bounded cost whatever the certificate holds.
  const signerChecks = new Map<string, { ca: X509Certificate; validFrom: number; validTo: number }>();
  const checkedSigner = (sha256: string, certificate: CertificateRef): { validFrom: number; validTo: number } => {
    const ca = officeCa();
    const hit = signerChecks.get(sha256);
    if (hit?.ca === ca) return hit;
    const cert = new X509Certificate(certificate.der);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
      throw refused('The signing certificate was not issued by this server.');
    if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH))
      throw refused('The signing certificate is not a client identity.');
    try {
      checkDeviceKey(certificate.spkiNode, 'The signing certificate key');
    } catch (err) {
      if (!isPkiError(err)) throw err;
      throw new AppError('MDM_SIGNATURE_INVALID', `${err.message} Enroll the device again.`, undefined, { cause: err });
    }
    const entry = { ca, validFrom: new Date(cert.validFrom).getTime(), validTo: new Date(cert.validTo).getTime() };
    if (signerChecks.size >= SIGNER_CACHE) signerChecks.delete(signerChecks.keys().next().value as string);
    signerChecks.set(sha256, entry);
    return entry;
  };

  // Cheapest first: a serial lookup, then a hash comparison with what we recorded, the purpose, then revocation; the CA
  // signature and key bounds only for a certificate that is byte for byte one we issued as an MDM identity.
  const issuedSigner = (certificate: CertificateRef): IssuedRow => {
    const serial = certificate.id.serial.toString('hex').replace(/^(00)+(?=..)/, '');
    const row = deps.issued.bySerial(serial);
    const sha256 = createHash('sha256').update(certificate.der).digest('hex');
    if (!row || row.sha256 !== sha256) throw refused('The signing certificate was not issued by this server.');
    if (row.purpose !== 'mdm')
      throw refused(
        "The signing certificate is a configuration's identity (Wi-Fi, VPN), not the device's MDM identity.",
      );
    if (row.revoked_at) throw refused(`The signing certificate was revoked (${row.revoked_reason ?? 'revoked'}).`);
    const checked = checkedSigner(sha256, certificate);
    const now = deps.clock.now().getTime();
    if (checked.validFrom > now || checked.validTo < now)
      throw refused('The signing certificate is not valid at this time.');
    return row;
  };

  return (body, signature) => {
    if (!signature)
      throw refused('The Mdm-Signature header is missing; this server requires signed messages (SignMessage).');
    if (signature.length > MAX_SIGNATURE_CHARS || !/^[A-Za-z0-9+/=\s]+$/.test(signature))
      throw refused('The Mdm-Signature header is not base64.');
    let row: IssuedRow | undefined;
    try {
      verifyCms(Buffer.from(signature, 'base64'), body, (certificate) => {
        row = issuedSigner(certificate);
      });
    } catch (err) {
      if (err instanceof CmsError)
        throw new AppError('MDM_SIGNATURE_INVALID', `The Mdm-Signature does not verify: ${err.message}`, undefined, {
          cause: err,
        });
      throw err;
    }
    if (!row) throw refused('The Mdm-Signature names no signing certificate.');
    return row;
  };
}
