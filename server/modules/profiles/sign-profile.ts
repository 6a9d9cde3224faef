import { buildPlist, type PlistDict } from '../../core/plist.js';
import { signCmsAsync } from '../../pki/cms.js';

/** The credential profiles are signed with: the server's current TLS certificate, its key and its chain. */
export interface ProfileSigner {
  certPem: string;
  keyPem: string;
  chainPem: string;
}

/**
 * A profile as the device downloads it: the XML plist in attached CMS SignedData (SHA-256), signed with the server's
 * TLS identity and carrying its chain, as enrollment profiles are (apple-protocols §1.1).
 */
export function signProfile(profile: PlistDict, signer: ProfileSigner, now: Date): Promise<Buffer> {
  return signCmsAsync(
    Buffer.from(buildPlist(profile), 'utf8'),
    { certPem: signer.certPem, keyPem: signer.keyPem, extraCertsPem: signer.chainPem ? [signer.chainPem] : [] },
    { now },
  );
}
