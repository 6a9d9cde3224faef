import { AppError } from '../../core/errors.js';
import type { PlistDict } from '../../core/plist.js';
import { flag, hostName, invalid, list, oneOf, optionalText, text, type PayloadIds } from './payload-values.js';

/** How a Wi-Fi network is secured: a shared password (Personal) or EAP-TLS with our identity (Enterprise). */
export const WIFI_SECURITY = ['wpa2-personal', 'wpa3-personal', 'wpa2-enterprise', 'wpa3-enterprise'] as const;
export type WifiSecurity = (typeof WIFI_SECURITY)[number];

/** What an admin enters for a Wi-Fi network. */
export interface WifiInput {
  ssid: string;
  security: WifiSecurity;
  /** Personal only: 8 to 63 printable ASCII characters, or 64 hex digits. A secret: sealed at rest. */
  password?: string;
  hidden?: boolean;
  autoJoin?: boolean;
  /** Enterprise only: the RADIUS server certificate names the device accepts (`TLSTrustedServerNames`). */
  trustedServerNames?: string[];
  /** Enterprise only: the EAP identity sent before the certificate (`UserName`); the certificate's name when absent. */
  eapUserName?: string;
}

/** True when the network authenticates with the identity certificate from our CA. */
export function isEnterprise(security: WifiSecurity): boolean {
  return security.endsWith('-enterprise');
}

const PASSPHRASE = /^[\x20-\x7e]{8,63}$/;
const PSK_HEX = /^[0-9A-Fa-f]{64}$/;

/** Checks a Wi-Fi input and returns it in canonical form; CONFIGURATION_INVALID names the field otherwise. */
export function checkWifi(input: WifiInput): WifiInput {
  const ssid = text('ssid', input.ssid, 1, 32);
  if (Buffer.byteLength(ssid) > 32) throw invalid('ssid', 'length', 'The network name (SSID) is at most 32 bytes.');
  const security = oneOf('security', input.security, WIFI_SECURITY);
  const out: WifiInput = {
    ssid,
    security,
    hidden: flag('hidden', input.hidden, false),
    autoJoin: flag('autoJoin', input.autoJoin, true),
  };
  if (isEnterprise(security)) {
    if (input.password)
      throw invalid('password', 'not-allowed', 'An Enterprise network uses a certificate, not a password.');
    out.trustedServerNames = list('trustedServerNames', input.trustedServerNames, 1, 16, (v) =>
      hostName('trustedServerNames', v, { wildcards: true }),
    );
    const user = optionalText('eapUserName', input.eapUserName, 253);
    if (user) out.eapUserName = user;
  } else {
    const password = input.password;
    if (typeof password !== 'string' || !(PASSPHRASE.test(password) || PSK_HEX.test(password)))
      throw invalid(
        'password',
        'format',
        'The Wi-Fi password must be 8 to 63 characters (letters, digits and symbols of ASCII), or 64 hex digits.',
      );
    out.password = password;
    if (input.trustedServerNames?.length)
      throw invalid('trustedServerNames', 'not-allowed', 'Trusted server names are only for Enterprise networks.');
  }
  return out;
}

/**
 * The `com.apple.wifi.managed` payload. Enterprise networks use EAP-TLS with the identity certificate of the SCEP
 * payload `identityUuid` and trust only the office CA payload `anchorUuid` for servers named in
 * `trustedServerNames` (no trust prompt: with anchors and names set the user is never asked).
 */
export function wifiPayload(
  input: WifiInput,
  ids: PayloadIds,
  refs: { identityUuid?: string; anchorUuid?: string } = {},
): PlistDict {
  const w = checkWifi(input);
  const payload: PlistDict = {
    PayloadType: 'com.apple.wifi.managed',
    PayloadIdentifier: ids.identifier,
    PayloadUUID: ids.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: ids.displayName,
    SSID_STR: w.ssid,
    HIDDEN_NETWORK: w.hidden ?? false,
    AutoJoin: w.autoJoin ?? true,
    EncryptionType: w.security.startsWith('wpa3') ? 'WPA3' : 'WPA2',
  };
  if (isEnterprise(w.security)) {
    if (!refs.identityUuid || !refs.anchorUuid)
      throw new AppError(
        'INTERNAL',
        'An Enterprise Wi-Fi payload needs the identity and anchor payloads of its profile.',
      );
    const eap: PlistDict = {
      AcceptEAPTypes: [13],
      TLSTrustedServerNames: w.trustedServerNames ?? [],
      PayloadCertificateAnchorUUID: [refs.anchorUuid],
      TLSMinimumVersion: '1.2',
    };
    if (w.eapUserName) eap.UserName = w.eapUserName;
    payload.EAPClientConfiguration = eap;
    payload.PayloadCertificateUUID = refs.identityUuid;
  } else {
    payload.Password = w.password as string;
  }
  return payload;
}
