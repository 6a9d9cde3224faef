import { createHash } from 'node:crypto';
import { AppError } from '../../core/errors.js';
import { isDict, parsePlist, PlistError, type PlistDict, type PlistLimits, type PlistValue } from '../../core/plist.js';
import { looksLikeCms, signedDataContent } from '../../pki/cms-content.js';
import { isPkiError } from '../../pki/errors.js';
import { OUR_IDENTIFIER_PREFIX } from './payload-values.js';

// An admin's .mobileconfig is untrusted input: it is bounded (bytes, depth, values, payloads), parsed by the strict
// plist parser (no entities, no internal DTD subset), unwrapped when signed (its signature is not trusted: we sign
// what we deliver), and refused when it would fight our enrollment (an MDM payload, our identifiers or identity).

/** Largest .mobileconfig accepted, signed or not. */
export const UPLOAD_MAX_BYTES = 512 * 1024;
/** Most payloads one uploaded profile may carry. */
export const UPLOAD_MAX_PAYLOADS = 50;
/** Plist bounds for uploaded profiles. */
export const UPLOAD_PLIST_LIMITS: PlistLimits = Object.freeze({
  maxBytes: UPLOAD_MAX_BYTES,
  maxDepth: 24,
  maxNodes: 20_000,
});

/** What of this server an uploaded profile must not carry. */
export interface OurIdentity {
  /** The SCEP URLs devices reach this server at (device and bootstrap listeners). */
  scepUrls: readonly string[];
  /** The office CA (DER): a SCEP payload naming it by CAFingerprint asks for one of our identities. */
  caDer: Buffer;
}

/** An uploaded profile, checked and normalized, ready to be delivered inside a profile of ours. */
export interface UploadedProfile {
  /** Its own top-level PayloadIdentifier, if it has one (we deliver it under ours). */
  identifier: string | null;
  displayName: string | null;
  description: string | null;
  organization: string | null;
  /** The scope it asked for (macOS), to preselect the channel; we set our own when delivering. */
  scope: 'System' | 'User' | null;
  /** True when it came signed; the signature was removed (we sign what we deliver). */
  wasSigned: boolean;
  /** Its payloads as plain dictionaries. */
  payloads: PlistDict[];
  /** One line per payload, for the console. */
  summary: { type: string; identifier: string; displayName: string | null }[];
}

/** Why an upload was refused, in `details.reason`. */
export type UploadRefusal =
  | 'empty'
  | 'signature'
  | 'not-plist'
  | 'not-configuration'
  | 'encrypted'
  | 'payloads'
  | 'mdm'
  | 'our-identifier'
  | 'our-identity';

function unusable(reason: UploadRefusal, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('PROFILE_UPLOAD_INVALID', message, { reason, ...extra });
}

function refused(reason: UploadRefusal, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('PROFILE_UPLOAD_REFUSED', message, { reason, ...extra });
}

function tooLarge(): AppError {
  return new AppError(
    'PROFILE_UPLOAD_TOO_LARGE',
    `The profile is larger than ${UPLOAD_MAX_BYTES / 1024} KiB. Remove large items (images, fonts) or split it into several profiles.`,
    { maxBytes: UPLOAD_MAX_BYTES },
  );
}

/** A deep copy made of ordinary objects and arrays (the parser's dictionaries have no prototype). */
function plain(v: PlistValue): PlistValue {
  if (Array.isArray(v)) return v.map(plain);
  if (isDict(v)) {
    const out: PlistDict = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return Buffer.isBuffer(v) ? Buffer.from(v) : v;
}

function stringKey(d: PlistDict, key: string, max: number): string | null {
  const v = d[key];
  if (v === undefined) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) return '\0invalid';
  return v;
}

function ours(identifier: string): boolean {
  return identifier.toLowerCase().startsWith(OUR_IDENTIFIER_PREFIX);
}

function sameEndpoint(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return (
      x.host.toLowerCase() === y.host.toLowerCase() && x.pathname.replace(/\/+$/, '') === y.pathname.replace(/\/+$/, '')
    );
  } catch {
    return false;
  }
}

/** True when a SCEP payload asks our CA for an identity (our URL, our CA's fingerprint, or our subject names). */
function asksForOurIdentity(payload: PlistDict, us: OurIdentity): boolean {
  const content = payload.PayloadContent;
  if (!isDict(content)) return false;
  if (typeof content.URL === 'string' && us.scepUrls.some((u) => sameEndpoint(content.URL as string, u))) return true;
  const fp = content.CAFingerprint;
  if (Buffer.isBuffer(fp)) {
    for (const algo of ['sha1', 'md5', 'sha256'])
      if (fp.equals(createHash(algo).update(us.caDer).digest())) return true;
  }
  return JSON.stringify(content.Subject ?? [])
    .toLowerCase()
    .includes('"tsunagu-');
}

/**
 * Reads an uploaded .mobileconfig: signed (CMS, DER or BER; unwrapped, not trusted) or plain XML. Refuses with
 * PROFILE_UPLOAD_TOO_LARGE, PROFILE_UPLOAD_INVALID (not a usable Configuration profile) or PROFILE_UPLOAD_REFUSED
 * (an MDM payload, our identifier prefix, or a SCEP payload for our identity), each message saying what to do.
 */
export function parseUploadedProfile(bytes: Buffer, us: OurIdentity): UploadedProfile {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0)
    throw unusable('empty', 'The file is empty. Choose a .mobileconfig file.');
  if (bytes.length > UPLOAD_MAX_BYTES) throw tooLarge();
  let xml = bytes;
  let wasSigned = false;
  if (looksLikeCms(bytes)) {
    try {
      xml = signedDataContent(bytes, UPLOAD_MAX_BYTES);
      wasSigned = true;
    } catch (err) {
      if (isPkiError(err, 'PKI_TOO_LARGE')) throw tooLarge();
      if (isPkiError(err))
        throw unusable(
          'signature',
          `The file looks signed, but its signature envelope cannot be read (${err.message}). Upload the unsigned .mobileconfig instead.`,
        );
      throw err;
    }
  }
  let root: PlistValue;
  try {
    root = parsePlist(xml, UPLOAD_PLIST_LIMITS);
  } catch (err) {
    if (!(err instanceof PlistError)) throw err;
    const hint = err.message.startsWith('Binary')
      ? 'Convert it to XML first (plutil -convert xml1 FILE).'
      : 'Export it again from Apple Configurator or your profile editor as an unencrypted .mobileconfig.';
    throw unusable('not-plist', `The file is not a readable profile: ${err.message} ${hint}`);
  }
  if (!isDict(root) || root.PayloadType !== 'Configuration')
    throw unusable(
      'not-configuration',
      'The file is a property list but not a configuration profile (its PayloadType is not Configuration). Upload a .mobileconfig.',
    );
  if ('EncryptedPayloadContent' in root || root.IsEncrypted === true)
    throw unusable(
      'encrypted',
      'The profile is encrypted for one device, so Tsunagu cannot read it. Upload it unencrypted.',
    );
  const top = stringKey(root, 'PayloadIdentifier', 255);
  if (top === '\0invalid')
    throw unusable(
      'payloads',
      'The profile’s PayloadIdentifier is not text. Export the profile again from your profile editor.',
    );
  if (top && ours(top))
    throw refused(
      'our-identifier',
      `The profile uses the identifier ${top}, which belongs to Tsunagu. Give it an identifier of your own.`,
      { identifier: top },
    );
  const content = root.PayloadContent;
  if (!Array.isArray(content) || content.length === 0)
    throw unusable(
      'payloads',
      'The profile has no payloads (PayloadContent is empty or missing). Add at least one payload and upload it again.',
    );
  if (content.length > UPLOAD_MAX_PAYLOADS)
    throw unusable(
      'payloads',
      `The profile has more than ${UPLOAD_MAX_PAYLOADS} payloads; split it into several profiles.`,
    );
  const seenIds = new Set<string>();
  const seenUuids = new Set<string>();
  const payloads: PlistDict[] = [];
  content.forEach((p, i) => {
    const where = `payload ${i + 1}`;
    if (!isDict(p))
      throw unusable(
        'payloads',
        `The profile’s ${where} is not a dictionary. Export the profile again from your profile editor.`,
        { index: i },
      );
    const type = stringKey(p, 'PayloadType', 200);
    const identifier = stringKey(p, 'PayloadIdentifier', 255);
    const uuid = stringKey(p, 'PayloadUUID', 64);
    if (!type || !identifier || !uuid || [type, identifier, uuid].includes('\0invalid'))
      throw unusable(
        'payloads',
        `The profile’s ${where} lacks PayloadType, PayloadIdentifier or PayloadUUID as text. Export the profile again from your profile editor.`,
        { index: i },
      );
    if (!Number.isSafeInteger(p.PayloadVersion))
      throw unusable(
        'payloads',
        `The profile’s ${where} (${type}) has no integer PayloadVersion. Export the profile again from your profile editor.`,
        { index: i },
      );
    const lower = type.toLowerCase();
    if (lower === 'com.apple.mdm')
      throw refused(
        'mdm',
        'The profile carries an MDM payload (com.apple.mdm). Tsunagu is this device’s MDM: remove that payload and upload it again.',
        { index: i },
      );
    if (lower === 'configuration')
      throw unusable('payloads', `The profile’s ${where} is itself a whole profile; upload profiles one by one.`, {
        index: i,
      });
    if (ours(identifier))
      throw refused(
        'our-identifier',
        `The profile’s ${where} uses the identifier ${identifier}, which belongs to Tsunagu. Give it an identifier of your own.`,
        { index: i, identifier },
      );
    if (lower === 'com.apple.security.scep' && asksForOurIdentity(p, us))
      throw refused(
        'our-identity',
        'The profile asks this server’s CA for a device identity over SCEP. Use a Tsunagu identity certificate configuration instead.',
        { index: i },
      );
    if (seenIds.has(identifier) || seenUuids.has(uuid))
      throw unusable(
        'payloads',
        `Two payloads of the profile share the PayloadIdentifier or PayloadUUID of ${where}. Give each payload its own and upload it again.`,
        { index: i },
      );
    seenIds.add(identifier);
    seenUuids.add(uuid);
    payloads.push(plain(p) as PlistDict);
  });
  const textOf = (key: string, max: number) => {
    const v = stringKey(root as PlistDict, key, max);
    return v === '\0invalid' ? null : v;
  };
  return {
    identifier: top || null,
    displayName: textOf('PayloadDisplayName', 200),
    description: textOf('PayloadDescription', 2000),
    organization: textOf('PayloadOrganization', 200),
    scope: root.PayloadScope === 'System' || root.PayloadScope === 'User' ? root.PayloadScope : null,
    wasSigned,
    payloads,
    summary: payloads.map((p) => ({
      type: p.PayloadType as string,
      identifier: p.PayloadIdentifier as string,
      displayName: typeof p.PayloadDisplayName === 'string' ? p.PayloadDisplayName : null,
    })),
  };
}
