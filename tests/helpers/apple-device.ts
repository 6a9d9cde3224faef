import { createHash, createPrivateKey, randomBytes, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { buildPlist, isDict, parsePlist, type PlistDict } from '../../server/core/plist.js';
import { signCmsAsync, verifyCms } from '../../server/pki/cms.js';
import { derToPem, generateRsaKeyPair } from '../../server/pki/x509.js';
import { buildScepRequest, createCsr, ScepClient, selfSignedIdentity, type CsrNameAttr } from './scep-client.js';

/** What kind of Apple device is emulated, and its facts. */
export interface AppleDeviceSpec {
  kind: 'iphone' | 'mac';
  udid: string;
  serialNumber: string;
  deviceName: string;
  model: string;
  modelName: string;
  productName: string;
  osVersion: string;
  buildVersion: string;
  userAgent: string;
}

/** An iPhone with unique identifiers. */
export function iphoneSpec(n = 0): AppleDeviceSpec {
  return {
    kind: 'iphone',
    udid: `00008110-${randomBytes(8).toString('hex').toUpperCase()}`,
    serialNumber: `F${randomBytes(5).toString('hex').toUpperCase()}`,
    deviceName: `iPhone ${n}`,
    model: 'MQ0T3J/A',
    modelName: 'iPhone',
    productName: 'iPhone15,2',
    osVersion: '17.4',
    buildVersion: '21E219',
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  };
}

/** A Mac with unique identifiers. */
export function macSpec(n = 0): AppleDeviceSpec {
  return {
    kind: 'mac',
    udid: randomUUID().toUpperCase(),
    serialNumber: `C0${randomBytes(5).toString('hex').toUpperCase()}`,
    deviceName: `Mac ${n}`,
    model: 'Mac14,2',
    modelName: 'MacBook Air',
    productName: 'Mac14,2',
    osVersion: '14.4',
    buildVersion: '23E214',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  };
}

const trustContexts = new Map<string, SecureContext>();

/**
 * A TLS context trusting `caPem`, shared by emulated devices that trust the same CA: Node otherwise builds one
 * per connection, which costs the load generator CPU the server needs in a benchmark. Each connection still
 * does its own handshake and host name check.
 */
function trustContext(caPem: string): SecureContext {
  let context = trustContexts.get(caPem);
  if (!context) {
    if (trustContexts.size >= 16) trustContexts.clear();
    context = createSecureContext({ ca: caPem });
    trustContexts.set(caPem, context);
  }
  return context;
}

/** The parts of a downloaded enrollment profile a device acts on. */
export interface ReceivedProfile {
  identifier: string;
  /** The office CA from the root payload; absent when the server's TLS certificate is publicly trusted. */
  caDer: Buffer | null;
  scep: {
    url: string;
    challenge: string;
    subject: string[][][];
    keysize: number;
    /** `CAFingerprint`: the digest GetCACert's certificate must have, or null when the profile names none. */
    caFingerprint: Buffer | null;
  };
  mdm: {
    topic: string;
    serverUrl: string;
    checkInUrl: string;
    signMessage: boolean;
    capabilities: string[];
    /** The certificates (DER) `ServerURLPinningCertificateUUIDs` names, or null when ServerURL is not pinned. */
    serverUrlPins: Buffer[] | null;
    /** The certificates (DER) `CheckInURLPinningCertificateUUIDs` names, or null when CheckInURL is not pinned. */
    checkInUrlPins: Buffer[] | null;
    pinningRevocationCheckRequired: boolean;
  };
  raw: PlistDict;
}

/** Payload types whose content is a certificate a pinning UUID may name, DER unless PEM. */
const CERTIFICATE_PAYLOADS = ['com.apple.security.root', 'com.apple.security.pkcs1', 'com.apple.security.pem'];

/** The certificates a pinning key names, by payload UUID; null when the key is absent. */
function pinnedCertificates(payloads: PlistDict[], uuids: unknown, key: string): Buffer[] | null {
  if (uuids === undefined) return null;
  if (!Array.isArray(uuids) || uuids.length === 0) throw new Error(`${key} is not a list of payload UUIDs.`);
  return uuids.map((uuid) => {
    const payload = payloads.find(
      (p) => p.PayloadUUID === uuid && CERTIFICATE_PAYLOADS.includes(p.PayloadType as string),
    );
    // A pin the profile cannot resolve makes the MDM payload unusable: nothing could ever match it.
    if (!payload) throw new Error(`${key} names ${String(uuid)}, which is no certificate payload of this profile.`);
    return Buffer.from(new X509Certificate(payload.PayloadContent as Buffer).raw);
  });
}

/**
 * Checks GetCACert's certificate against `CAFingerprint` as Apple's SCEP client does: the digest is told by its
 * length (MD5 16 bytes, SHA-1 20 bytes; any other length is refused), computed over the certificate's DER.
 */
export function matchesCaFingerprint(caPem: string, fingerprint: Buffer): boolean {
  const algorithm = fingerprint.length === 16 ? 'md5' : fingerprint.length === 20 ? 'sha1' : null;
  if (!algorithm) return false;
  return createHash(algorithm).update(new X509Certificate(caPem).raw).digest().equals(fingerprint);
}

/** A plain HTTP answer. */
export interface DeviceResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Timings of one device's steps, in milliseconds. */
export type StepTimings = Record<string, number>;

/** Which connection of the device a request travels on: each has its own trust. */
type Channel = 'system' | 'server' | 'checkIn';

/** Resolves every host name to 127.0.0.1, as the office server's name resolves on a LAN. */
export const loopbackLookup: LookupFunction = (_host, opts, cb) => {
  if ((opts as { all?: boolean }).all)
    (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  else cb(null, '127.0.0.1', 4);
};

/**
 * An emulated iPhone or Mac that does what the real one does over the wire: downloads the profile, runs SCEP
 * with its own key and the profile's challenge, signs every MDM message (Mdm-Signature), sends Authenticate and
 * TokenUpdate (plus the user channel on a Mac), and answers commands in the command loop.
 *
 * Trust is the real device's too. `caPem` stands for the device's own trust store (the profile download, an
 * unpinned HTTPS URL). SCEP over plain HTTP trusts no transport: GetCACert's certificate must match the profile's
 * `CAFingerprint`. When the MDM payload pins ServerURL or CheckInURL, that connection trusts only the pinned
 * certificates of the profile, never `caPem`.
 */
export class EmulatedAppleDevice {
  /** HTTPS through the device's own trust store (`caPem`): kept alive, and TLS sessions resumed, as a device does. */
  agent: https.Agent;
  private readonly newAgent: () => https.Agent;
  /** Plain HTTP (SCEP over the bootstrap listener). */
  private readonly httpAgent: http.Agent;
  /** HTTPS to ServerURL and CheckInURL trusting only their pinned certificates, once a profile pins them. */
  private pinned: { server: https.Agent | null; checkIn: https.Agent | null } = { server: null, checkIn: null };
  private readonly lookup: LookupFunction;
  profile: ReceivedProfile | null = null;
  /** The SCEP-issued identity; the key is parsed once, as the device's keychain holds it. */
  identity: { certPem: string; keyPem: KeyObject } | null = null;
  readonly token = randomBytes(32);
  pushMagic = randomUUID().toUpperCase();
  readonly installed = new Map<string, PlistDict | Buffer>();
  /** The channel each installed profile went to ('device', or 'user:<UserID>' on a Mac). */
  readonly installedOn = new Map<string, string>();
  /** The PayloadUUID of each installed profile, as ProfileList reports it. */
  readonly installedUuid = new Map<string, string>();
  /** When set, InstallProfile answers Error with this ErrorChain (a profile the device refuses). */
  failInstalls: PlistDict[] | null = null;
  readonly handled: string[] = [];
  wiped = false;
  /** The enrollment profile was removed by RemoveProfile: the device reports, then forgets its identity. */
  unenrolled = false;
  readonly timings: StepTimings = {};
  private key: { publicKeyPem: string; privateKeyPem: string } | null = null;

  constructor(
    readonly spec: AppleDeviceSpec,
    options: { caPem: string; keyPem?: string },
  ) {
    // Every host name in the profile resolves to loopback, as it would to the office server on a LAN.
    const lookup = loopbackLookup;
    this.lookup = lookup;
    this.newAgent = () =>
      new https.Agent({
        secureContext: trustContext(options.caPem),
        lookup,
        keepAlive: true,
        maxSockets: 4,
      });
    this.agent = this.newAgent();
    this.httpAgent = new http.Agent({ lookup, keepAlive: true, maxSockets: 4 });
    if (options.keyPem) this.key = { privateKeyPem: options.keyPem, publicKeyPem: '' };
  }

  private async timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.timings[step] = performance.now() - start;
    }
  }

  /** The agent of a channel for `url`: plain HTTP, pinned HTTPS, or HTTPS through the device's trust store. */
  private agentFor(url: string, channel: Channel): http.Agent {
    if (new URL(url).protocol === 'http:') return this.httpAgent;
    const pinned = channel === 'server' ? this.pinned.server : channel === 'checkIn' ? this.pinned.checkIn : null;
    return pinned ?? this.agent;
  }

  /** One HTTP(S) request; `channel` picks the trust for an HTTPS URL (the device's own store by default). */
  request(
    url: string,
    method: string,
    headers: Record<string, string>,
    body?: Buffer | string,
    channel: Channel = 'system',
  ): Promise<DeviceResponse> {
    const transport = new URL(url).protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const agent = this.agentFor(url, channel);
      const req = transport.request(url, { method, headers, agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Downloads the enrollment profile as Safari would, verifying its signature and reading its payloads. */
  async downloadProfile(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<DeviceResponse & { profile: ReceivedProfile | null }> {
    return this.timed('profile', async () => {
      const res = await this.request(url, 'GET', {
        'user-agent': this.spec.userAgent,
        'accept-language': 'ja-JP',
        ...headers,
      });
      if (res.status !== 200) return { ...res, profile: null };
      return { ...res, profile: this.receiveProfile(res.body) };
    });
  }

  /**
   * Takes a signed enrollment profile as the device's profile installer does (a Mac opening a downloaded file):
   * verifies its signature, reads its payloads and pins ServerURL and CheckInURL when the profile says so.
   */
  receiveProfile(signed: Buffer): ReceivedProfile {
    const plist = parsePlist(verifyCms(signed).content) as PlistDict;
    const payloads = plist.PayloadContent as PlistDict[];
    const byType = (t: string) => payloads.find((p) => p.PayloadType === t) as PlistDict;
    const root = payloads.find((p) => p.PayloadType === 'com.apple.security.root');
    const scep = byType('com.apple.security.scep');
    const scepContent = scep.PayloadContent as PlistDict;
    const mdm = byType('com.apple.mdm');
    if (mdm.IdentityCertificateUUID !== scep.PayloadUUID)
      throw new Error('The MDM payload does not point at the SCEP identity.');
    this.profile = {
      identifier: plist.PayloadIdentifier as string,
      caDer: root ? (root.PayloadContent as Buffer) : null,
      scep: {
        url: scepContent.URL as string,
        challenge: scepContent.Challenge as string,
        subject: scepContent.Subject as string[][][],
        keysize: scepContent.Keysize as number,
        caFingerprint: (scepContent.CAFingerprint as Buffer | undefined) ?? null,
      },
      mdm: {
        topic: mdm.Topic as string,
        serverUrl: mdm.ServerURL as string,
        checkInUrl: mdm.CheckInURL as string,
        signMessage: mdm.SignMessage as boolean,
        capabilities: (mdm.ServerCapabilities as string[] | undefined) ?? [],
        serverUrlPins: pinnedCertificates(
          payloads,
          mdm.ServerURLPinningCertificateUUIDs,
          'ServerURLPinningCertificateUUIDs',
        ),
        checkInUrlPins: pinnedCertificates(
          payloads,
          mdm.CheckInURLPinningCertificateUUIDs,
          'CheckInURLPinningCertificateUUIDs',
        ),
        pinningRevocationCheckRequired: mdm.PinningRevocationCheckRequired === true,
      },
      raw: plist,
    };
    this.pinConnections(this.profile);
    return this.profile;
  }

  /**
   * The agents ServerURL and CheckInURL use from now on: with pins, a context trusting only the pinned certificates
   * (the device's own trust store plays no part); without, the device's trust store.
   */
  private pinConnections(profile: ReceivedProfile): void {
    for (const agent of [this.pinned.server, this.pinned.checkIn]) agent?.destroy();
    const pinnedAgent = (pins: Buffer[] | null): https.Agent | null => {
      if (!pins) return null;
      return new https.Agent({
        secureContext: trustContext(pins.map((der) => derToPem(der)).join('')),
        lookup: this.lookup,
        keepAlive: true,
        maxSockets: 4,
        // The office CA's certificates name no CRL or OCSP responder, so a required revocation check cannot pass.
        ...(profile.mdm.pinningRevocationCheckRequired
          ? {
              checkServerIdentity: () =>
                new Error('PinningRevocationCheckRequired: no revocation answer can be had for this chain.'),
            }
          : {}),
      });
    };
    this.pinned = { server: pinnedAgent(profile.mdm.serverUrlPins), checkIn: pinnedAgent(profile.mdm.checkInUrlPins) };
  }

  /**
   * Runs SCEP with the profile's challenge (GetCACaps, GetCACert, PKCSReq); returns the CertRep outcome. A device
   * that lost the reply sends the same PKCSReq again: pass the first attempt's `transactionId` to do so.
   */
  async scep(
    options: { challenge?: string | null; transactionId?: string } = {},
  ): Promise<{ status: string; failInfo?: string }> {
    const profile = this.requireProfile();
    return this.timed('scep', async () => {
      this.key ??= generateRsaKeyPair(profile.scep.keysize);
      const client = new ScepClient(profile.scep.url, { agent: this.agentFor(profile.scep.url, 'system') });
      const caps = await client.getCaCaps();
      if (!caps.includes('SHA-256') || !caps.includes('AES'))
        throw new Error(`GetCACaps lacks SHA-256/AES: ${caps.join(',')}`);
      const caPem = await client.getCaCert();
      // The only check a device makes of the SCEP CA: over plain HTTP nothing else vouches for it. (The root payload
      // is not compared: a real device does not.)
      if (profile.scep.caFingerprint && !matchesCaFingerprint(caPem, profile.scep.caFingerprint))
        throw new Error('GetCACert answered a CA certificate that does not match the profile’s CAFingerprint.');
      const subject: CsrNameAttr[] = profile.scep.subject.map((rdn) => ({
        shortName: rdn[0]?.[0] as CsrNameAttr['shortName'],
        value: rdn[0]?.[1] as string,
      }));
      const challenge = options.challenge === undefined ? profile.scep.challenge : options.challenge;
      // The key is parsed once, as the device's keychain holds it, and serves the CSR, the signer and the identity.
      const key = createPrivateKey(this.key.privateKeyPem);
      const csr = createCsr({ keyPem: this.key.privateKeyPem, key, subject, challenge });
      const request = buildScepRequest({
        csr,
        signer: selfSignedIdentity(this.key.privateKeyPem, { key }),
        caCertPem: caPem,
        ...(options.transactionId ? { transactionId: options.transactionId } : {}),
      });
      const rep = await client.send(request);
      if (rep.status === 'SUCCESS') this.identity = { certPem: rep.certificatePem, keyPem: key };
      return rep.status === 'FAILURE' ? { status: rep.status, failInfo: rep.failInfo } : { status: rep.status };
    });
  }

  /** Sends a check-in message to CheckInURL, signed with the SCEP identity. */
  checkin(message: PlistDict): Promise<DeviceResponse> {
    return this.signedPut(
      this.requireProfile().mdm.checkInUrl,
      'application/x-apple-aspen-mdm-checkin',
      message,
      'checkIn',
    );
  }

  private async signedPut(url: string, type: string, message: PlistDict, channel: Channel): Promise<DeviceResponse> {
    const identity = this.identity;
    if (!identity) throw new Error('No identity: run SCEP first.');
    const body = Buffer.from(buildPlist(message));
    const signature = (await signCmsAsync(body, identity, { detached: true })).toString('base64');
    return this.request(
      url,
      'PUT',
      {
        'content-type': type,
        'mdm-signature': signature,
        'user-agent': this.spec.kind === 'mac' ? 'mdmclient/1.0 (macOS)' : 'MDM/1.0',
      },
      body,
      channel,
    );
  }

  private identityKeys(): PlistDict {
    return { UDID: this.spec.udid, Topic: this.requireProfile().mdm.topic };
  }

  /** Authenticate, then TokenUpdate on the device channel (and the user channel on a Mac), as profile install does. */
  async enrollMdm(): Promise<DeviceResponse[]> {
    const s = this.spec;
    const auth = await this.timed('authenticate', () =>
      this.checkin({
        MessageType: 'Authenticate',
        ...this.identityKeys(),
        SerialNumber: s.serialNumber,
        OSVersion: s.osVersion,
        BuildVersion: s.buildVersion,
        ProductName: s.productName,
        ...(s.kind === 'mac' ? { DeviceName: s.deviceName, Model: s.model, ModelName: s.modelName } : {}),
      }),
    );
    const token = await this.timed('tokenUpdate', () =>
      this.checkin({
        MessageType: 'TokenUpdate',
        ...this.identityKeys(),
        Token: this.token,
        PushMagic: this.pushMagic,
        AwaitingConfiguration: false,
        ...(s.kind === 'iphone' ? { UnlockToken: randomBytes(64) } : {}),
      }),
    );
    const out = [auth, token];
    if (s.kind === 'mac' && this.requireProfile().mdm.capabilities.includes('com.apple.mdm.per-user-connections')) {
      out.push(
        await this.checkin({
          MessageType: 'TokenUpdate',
          ...this.identityKeys(),
          UserID: 'A8D2F2C4-6E3B-4B5A-9C1D-2F0E8B7A6C5D',
          UserShortName: 'user',
          UserLongName: 'Office User',
          NotOnConsole: false,
          Token: randomBytes(32),
          PushMagic: randomUUID().toUpperCase(),
        }),
      );
    }
    return out;
  }

  /** Removes the enrollment profile: CheckOut, as CheckOutWhenRemoved asks. */
  async checkOut(): Promise<DeviceResponse> {
    const res = await this.checkin({ MessageType: 'CheckOut', ...this.identityKeys() });
    this.identity = null;
    return res;
  }

  /** Sends one report to ServerURL (an idle poll or a command result), signed with the SCEP identity. */
  report(message: PlistDict): Promise<DeviceResponse> {
    return this.signedPut(this.requireProfile().mdm.serverUrl, 'application/x-apple-aspen-mdm', message, 'server');
  }

  /**
   * Polls ServerURL until the queue is empty, answering each command; returns the request types handled. With
   * `userId`, polls a Mac user's channel (the reports carry UserID).
   */
  async commandLoop(maxCommands = 50, userId?: string): Promise<string[]> {
    const url = this.requireProfile().mdm.serverUrl;
    const seen: string[] = [];
    const channel = userId ? `user:${userId}` : 'device';
    const who: PlistDict = userId ? { UserID: userId } : {};
    let report: PlistDict = { UDID: this.spec.udid, Status: 'Idle', ...who };
    for (let i = 0; i <= maxCommands; i++) {
      const res = await this.signedPut(url, 'application/x-apple-aspen-mdm', report, 'server');
      if (res.status !== 200) throw new Error(`ServerURL answered ${res.status}: ${res.body.toString()}`);
      if (res.body.length === 0) return seen;
      const envelope = parsePlist(res.body) as PlistDict;
      const command = envelope.Command as PlistDict;
      const type = command.RequestType as string;
      seen.push(type);
      this.handled.push(type);
      report = {
        UDID: this.spec.udid,
        CommandUUID: envelope.CommandUUID as string,
        ...this.answer(command, channel),
        ...who,
      };
      if (this.wiped || this.unenrolled) {
        await this.signedPut(url, 'application/x-apple-aspen-mdm', report, 'server');
        if (this.unenrolled) this.identity = null;
        return seen;
      }
    }
    throw new Error(`More than ${maxCommands} commands in one connection.`);
  }

  /** How this device answers a command on a channel. */
  answer(command: PlistDict, channel = 'device'): PlistDict {
    const s = this.spec;
    switch (command.RequestType) {
      case 'DeviceInformation': {
        const facts: PlistDict = {
          DeviceName: s.deviceName,
          OSVersion: s.osVersion,
          BuildVersion: s.buildVersion,
          ModelName: s.modelName,
          Model: s.model,
          ProductName: s.productName,
          SerialNumber: s.serialNumber,
          UDID: s.udid,
          DeviceCapacity: 128,
          AvailableDeviceCapacity: 64.5,
          BatteryLevel: 0.82,
          IsSupervised: false,
        };
        const queries = (command.Queries as string[] | undefined) ?? Object.keys(facts);
        return {
          Status: 'Acknowledged',
          RequestType: 'DeviceInformation',
          QueryResponses: Object.fromEntries(
            queries.filter((q) => q in facts).map((q) => [q, facts[q] as PlistDict[string]]),
          ),
        };
      }
      case 'ProfileList':
        return {
          Status: 'Acknowledged',
          ProfileList: [
            ...[...this.installed.keys()].filter((id) => (this.installedOn.get(id) ?? 'device') === channel),
            ...(channel === 'device' ? [this.requireProfile().identifier] : []),
          ].map((id) => ({
            PayloadIdentifier: id,
            PayloadUUID: this.installedUuid.get(id) ?? randomUUID().toUpperCase(),
            PayloadVersion: 1,
            PayloadDisplayName: id,
            IsManaged: true,
          })),
        };
      case 'InstallProfile': {
        const payload = command.Payload as Buffer;
        let identifier = 'unknown';
        let uuid: string | null = null;
        if (this.failInstalls) return { Status: 'Error', ErrorChain: this.failInstalls };
        try {
          const inner = payload[0] === 0x30 ? verifyCms(payload).content : payload;
          const dict = parsePlist(inner);
          if (isDict(dict) && typeof dict.PayloadIdentifier === 'string') identifier = dict.PayloadIdentifier;
          if (isDict(dict) && typeof dict.PayloadUUID === 'string') uuid = dict.PayloadUUID;
        } catch {
          return {
            Status: 'Error',
            ErrorChain: [
              {
                ErrorCode: 4001,
                ErrorDomain: 'MCInstallationErrorDomain',
                LocalizedDescription: 'The profile is not valid.',
                USEnglishDescription: 'The profile is not valid.',
              },
            ],
          };
        }
        this.installed.set(identifier, payload);
        this.installedOn.set(identifier, channel);
        if (uuid) this.installedUuid.set(identifier, uuid);
        else this.installedUuid.delete(identifier);
        return { Status: 'Acknowledged' };
      }
      case 'RemoveProfile':
        if (command.Identifier === this.requireProfile().identifier) this.unenrolled = true;
        else {
          const id = command.Identifier as string;
          this.installed.delete(id);
          this.installedOn.delete(id);
          this.installedUuid.delete(id);
        }
        return { Status: 'Acknowledged' };
      case 'DeviceLock':
        return { Status: 'Acknowledged', MessageResult: 'Success' };
      case 'EraseDevice':
        this.wiped = true;
        return { Status: 'Acknowledged' };
      default:
        return { Status: 'CommandFormatError' };
    }
  }

  private requireProfile(): ReceivedProfile {
    if (!this.profile) throw new Error('No profile downloaded.');
    return this.profile;
  }

  /** Closes kept-alive connections; the next request opens a new one (a new TLS handshake). */
  close(): void {
    for (const agent of [this.agent, this.httpAgent, this.pinned.server, this.pinned.checkIn]) agent?.destroy();
  }

  /**
   * Closes kept-alive connections and forgets TLS sessions, as after a restart: the next request makes a full
   * handshake and checks the certificate the server presents now (a resumed session would skip that).
   */
  reconnect(): void {
    this.agent.destroy();
    this.agent = this.newAgent();
    if (this.profile) this.pinConnections(this.profile);
  }
}
