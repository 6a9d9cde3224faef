/**
 * Why a SCEP message was refused by the codec. The service maps these codes to one outcome each (an HTTP
 * error or a CertRep FAILURE with a failInfo), so callers switch on codes, never on messages.
 */
export type ScepErrorCode =
  /** The input is over one of the size bounds (bytes, certificates, attributes). */
  | 'SCEP_TOO_LARGE'
  /** The bytes are not the DER structure RFC 8894 §3 / RFC 5652 describe. */
  | 'SCEP_MALFORMED'
  /** A digest, signature, key-transport or content-encryption algorithm we do not implement. */
  | 'SCEP_UNSUPPORTED_ALGORITHM'
  /** messageDigest does not match the content, or the signature does not verify. */
  | 'SCEP_BAD_SIGNATURE'
  /** The envelope has several recipients and none of them is our CA. */
  | 'SCEP_NOT_FOR_US'
  /**
   * The envelope could not be opened into a valid, self-signed CSR. Bad RSA padding, a wrong content key,
   * bad CBC padding and a broken CSR all end here on purpose (RFC 8017 §7.2.2 note; Bleichenbacher/Marvin).
   */
  | 'SCEP_UNDECRYPTABLE';

/** A typed failure of the SCEP codec with a stable code and the original error as `cause`. */
export class ScepError extends Error {
  readonly code: ScepErrorCode;

  constructor(code: ScepErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScepError';
    this.code = code;
  }
}

/** True when `err` is a ScepError, optionally with the given code. */
export function isScepError(err: unknown, code?: ScepErrorCode): err is ScepError {
  return err instanceof ScepError && (code === undefined || err.code === code);
}
