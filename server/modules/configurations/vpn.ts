import { AppError } from '../../core/errors.js';
import type { PlistDict } from '../../core/plist.js';
import { hostName, invalid, oneOf, optionalText, text, type PayloadIds } from './payload-values.js';

/** How the device proves itself to the IKEv2 server. */
export const VPN_AUTH = ['certificate', 'shared-secret'] as const;
export type VpnAuth = (typeof VPN_AUTH)[number];

/** What an admin enters for an IKEv2 VPN. */
export interface VpnInput {
  /** The connection's name on the device (`UserDefinedName`). */
  name: string;
  /** Host name or IP address of the VPN server. */
  remoteAddress: string;
  /** The server's IKE identity (usually its host name). */
  remoteIdentifier: string;
  /** The device's IKE identity. */
  localIdentifier: string;
  auth: VpnAuth;
  /** shared-secret only: 8 to 255 characters. A secret: sealed at rest. */
  sharedSecret?: string;
  /**
   * certificate only: the name the server's certificate must carry (`ServerCertificateCommonName`); the remote
   * identifier is checked when absent. The issuer must be the office CA (`ServerCertificateIssuerCommonName`).
   */
  serverCertificateName?: string;
}

const IDENTIFIER_MAX = 255;

/** Checks a VPN input and returns it in canonical form; CONFIGURATION_INVALID names the field otherwise. */
export function checkVpn(input: VpnInput): VpnInput {
  const out: VpnInput = {
    name: text('name', input.name, 1, 100),
    remoteAddress: hostName('remoteAddress', input.remoteAddress, { ip: true }),
    remoteIdentifier: text('remoteIdentifier', input.remoteIdentifier, 1, IDENTIFIER_MAX),
    localIdentifier: text('localIdentifier', input.localIdentifier, 1, IDENTIFIER_MAX),
    auth: oneOf('auth', input.auth, VPN_AUTH),
  };
  if (out.auth === 'shared-secret') {
    out.sharedSecret = text('sharedSecret', input.sharedSecret, 8, 255);
    if (input.serverCertificateName)
      throw invalid(
        'serverCertificateName',
        'not-allowed',
        'A server certificate name is only for certificate sign-in.',
      );
  } else {
    if (input.sharedSecret)
      throw invalid(
        'sharedSecret',
        'not-allowed',
        'Certificate sign-in uses the identity certificate, not a shared secret.',
      );
    const name = optionalText('serverCertificateName', input.serverCertificateName, 253);
    if (name) out.serverCertificateName = hostName('serverCertificateName', name, { wildcards: true });
  }
  return out;
}

/**
 * The `com.apple.vpn.managed` payload of type IKEv2. With certificate sign-in the device uses the identity of the
 * SCEP payload `identityUuid`, asks the server for a certificate issued by the office CA (`officeCaName`, the CA's
 * common name) and accepts only the expected server name.
 */
export function vpnPayload(
  input: VpnInput,
  ids: PayloadIds,
  refs: { identityUuid?: string; officeCaName?: string } = {},
): PlistDict {
  const v = checkVpn(input);
  const ike: PlistDict = {
    RemoteAddress: v.remoteAddress,
    RemoteIdentifier: v.remoteIdentifier,
    LocalIdentifier: v.localIdentifier,
    AuthenticationMethod: v.auth === 'certificate' ? 'Certificate' : 'SharedSecret',
    DeadPeerDetectionRate: 'Medium',
  };
  if (v.auth === 'certificate') {
    if (!refs.identityUuid || !refs.officeCaName)
      throw new AppError(
        'INTERNAL',
        'A certificate VPN payload needs the identity payload and the office CA name of its profile.',
      );
    ike.PayloadCertificateUUID = refs.identityUuid;
    ike.CertificateType = 'RSA';
    ike.ServerCertificateIssuerCommonName = refs.officeCaName;
    if (v.serverCertificateName) ike.ServerCertificateCommonName = v.serverCertificateName;
  } else {
    ike.SharedSecret = v.sharedSecret as string;
  }
  return {
    PayloadType: 'com.apple.vpn.managed',
    PayloadIdentifier: ids.identifier,
    PayloadUUID: ids.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: ids.displayName,
    VPNType: 'IKEv2',
    UserDefinedName: v.name,
    IKEv2: ike,
  };
}
