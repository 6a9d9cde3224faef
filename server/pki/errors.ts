/**
 * Why the PKI codecs refused their input (DER, CMS, CSR, key transport). Callers map these codes to one
 * outcome each (SCEP: an HTTP error or a CertRep FAILURE with a failInfo), so they switch on codes, never on
 * messages.
 */
export type PkiErrorCode =
  /** The input is over one of the size bounds (bytes, certificates, attributes). */
  | 'PKI_TOO_LARGE'
  /** The bytes are not the DER structure RFC 8894 §3 / RFC 5652 describe. */
  | 'PKI_MALFORMED'
  /** A digest, signature, key-transport or content-encryption algorithm we do not implement. */
  | 'PKI_UNSUPPORTED_ALGORITHM'
  /** A public key outside the device key policy (key-policy.ts): RSA of the wrong size or exponent. */
  | 'PKI_KEY_NOT_ALLOWED'
  /** messageDigest does not match the content, or the signature does not verify. */
  | 'PKI_BAD_SIGNATURE'
  /** The envelope has several recipients and none of them is our CA. */
  | 'PKI_NOT_FOR_US'
  /**
   * The envelope could not be opened into a valid, self-signed CSR. Bad RSA padding, a wrong content key,
   * bad CBC padding and a broken CSR all end here on purpose (RFC 8017 §7.2.2 note; Bleichenbacher/Marvin).
   */
  | 'PKI_UNDECRYPTABLE';

/** A typed failure of a PKI codec with a stable code and the original error as `cause`. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PkiError';
    this.code = code;
  }
}

/** True when `err` is a PkiError, optionally with the given code. */
export function isPkiError(err: unknown, code?: PkiErrorCode): err is PkiError {
  return err instanceof PkiError && (code === undefined || err.code === code);
}
