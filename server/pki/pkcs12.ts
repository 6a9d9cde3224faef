import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../core/errors.js';

/** A certificate, its key, and any further certificates found in a PKCS#12 file. */
export interface Pkcs12Contents {
  certPem: string;
  keyPem: string;
  chainPems: string[];
}

/** Checks that `keyPem` is the private key of `certPem`. */
export function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    const pub = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return Buffer.from(new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })).equals(pub);
  } catch {
    return false;
  }
}

/** Reads a PKCS#12 (.p12/.pfx) file: the certificate that matches the private key, the key, and the rest as chain. */
export function readPkcs12(der: Buffer, password: string, field = 'pkcs12Base64'): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))), password);
  } catch (err) {
    const wrong = /password|MAC/i.test((err as Error).message);
    throw new AppError(
      'VALIDATION_FAILED',
      wrong ? 'The PKCS#12 password is wrong.' : 'The file is not a PKCS#12 (.p12 or .pfx) file.',
      { field: wrong ? 'password' : field },
      { cause: err },
    );
  }
  const bags = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const keyBag = bags(forge.pki.oids.pkcs8ShroudedKeyBag as string)[0] ?? bags(forge.pki.oids.keyBag as string)[0];
  const certs = bags(forge.pki.oids.certBag as string).flatMap((b) =>
    b.cert ? [forge.pki.certificateToPem(b.cert)] : [],
  );
  if (!keyBag?.key || certs.length === 0)
    throw new AppError('VALIDATION_FAILED', 'The PKCS#12 file must hold a certificate and its private key.', { field });
  const keyPem = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key))
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const certPem = certs.find((c) => keyMatches(c, keyPem));
  if (!certPem)
    throw new AppError('VALIDATION_FAILED', 'No certificate in the PKCS#12 file matches its private key.', { field });
  return { certPem, keyPem, chainPems: certs.filter((c) => c !== certPem) };
}

/** Splits a PEM bundle into single certificates, checking each one parses. */
export function splitPemCertificates(bundle: string, field: string): string[] {
  const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((pem) => {
    try {
      return new X509Certificate(pem).toString();
    } catch (err) {
      throw new AppError(
        'VALIDATION_FAILED',
        'A certificate in the PEM text could not be read.',
        { field },
        { cause: err },
      );
    }
  });
}
