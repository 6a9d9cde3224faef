import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createSecureContext } from 'node:tls';
import type {
  AgentAction,
  AgentAuth,
  AgentCheckInResponse,
  AgentConfigurationReport,
  AgentConfigurationReportResponse,
  AgentConfigurationReportResult,
  AgentConfigurationsResponse,
  AgentDeviceFacts,
  AgentEnrollResponse,
  AgentUserCaCertificate,
  AgentWifiSuggestion,
} from '../../server/contract/agent.js';

/** What the reference agent keeps between runs (its state file). */
export interface AgentState {
  server: string;
  caPem: string;
  deviceId: string | null;
  token: string | null;
  facts: AgentDeviceFacts;
  /** Results of carried-out actions not yet reported. */
  pendingResults: { actionId: string; status: 'done' | 'failed'; message?: string }[];
  locked: boolean;
  wiped: boolean;
  retired: boolean;
  /** Send every request to 127.0.0.1 whatever the host name (tests on one machine). */
  loopback?: boolean;
  /** The Wi-Fi networks it suggests (what a real agent added with WifiManager.addNetworkSuggestions), by configuration. */
  wifiSuggestions?: Record<string, AgentWifiSuggestion>;
  /** Configuration results not yet reported. */
  pendingConfigurationResults?: AgentConfigurationReportResult[];
  /** The CA certificates the user installed (Settings > Encryption & credentials), as AndroidCAStore lists them. */
  userCaCertificates?: AgentUserCaCertificate[];
}

/** The state of an agent that has not enrolled yet, talking to `server` on loopback. */
export function freshAgentState(server: string, caPem: string, facts: AgentDeviceFacts): AgentState {
  return {
    server,
    caPem,
    deviceId: null,
    token: null,
    facts,
    pendingResults: [],
    locked: false,
    wiped: false,
    retired: false,
    loopback: true,
  };
}

/** An HTTP error from the agent API, with the server's error code. */
export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The Retry-After header of a 429 or 503, when the server sent one. */
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'AgentApiError';
  }
}

/** The facts of an emulated Android phone: Android 9 (API 28) or a newer level. */
export function androidFacts(apiLevel: number, hardwareId: string, n = 0): AgentDeviceFacts {
  return {
    hardwareId,
    manufacturer: 'Google',
    model: apiLevel <= 28 ? 'Pixel 3' : 'Pixel 7',
    osVersion: apiLevel <= 28 ? '9' : String(apiLevel - 20),
    apiLevel,
    deviceName: `Android ${n}`,
    agentVersion: '1.0.0',
    adminActive: false,
    batteryLevel: 0.9,
  };
}

/**
 * The reference Android agent: trusts the office CA only after checking its SHA-256 against the one from the
 * enrollment QR code, enrolls with a password, PIN or QR token, checks in with device facts, carries out
 * lock, wipe and retire, and reports the results at the next check-in. After a check-in it suggests the Wi-Fi
 * networks it is given and reports them, with the CA certificates the user installed.
 */
export class AndroidAgent {
  private agent: https.Agent;

  constructor(public state: AgentState) {
    const lookup: LookupFunction = (_h, opts, cb) => {
      if ((opts as { all?: boolean }).all)
        (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
          { address: '127.0.0.1', family: 4 },
        ]);
      else cb(null, '127.0.0.1', 4);
    };
    // One TLS context for the agent's connections (Node would build one per connection from `ca`).
    this.agent = new https.Agent({
      secureContext: createSecureContext({ ca: state.caPem }),
      keepAlive: true,
      maxSockets: 2,
      ...(state.loopback ? { lookup } : {}),
    });
  }

  /** Fetches the server's CA without trusting it, and keeps it only if its SHA-256 matches the pinned one (from the QR code). */
  static async pinCa(server: string, caSha256: string, options: { loopback?: boolean } = {}): Promise<string> {
    const url = new URL('/agent/v1/ca', server);
    if (options.loopback) url.hostname = '127.0.0.1';
    const pem = await new Promise<string>((resolve, reject) => {
      const req = https.request(url, { method: 'GET', rejectUnauthorized: false, timeout: 15_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve(body));
      });
      req.on('timeout', () => req.destroy(new Error('timed out fetching the CA')));
      req.on('error', reject);
      req.end();
    });
    const fp = createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
    if (fp !== caSha256.toLowerCase().replace(/[^0-9a-f]/g, ''))
      throw new Error(`The server's CA fingerprint ${fp} does not match the pinned ${caSha256}; refusing to enroll.`);
    return pem;
  }

  private call<T>(method: string, path: string, body: unknown, auth = true): Promise<T> {
    const url = new URL(path, this.state.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(payload ? { 'content-type': 'application/json' } : {}),
      ...(auth && this.state.token ? { authorization: `Bearer ${this.state.token}` } : {}),
    };
    return new Promise<T>((resolve, reject) => {
      const req = https.request(url, { method, headers, agent: this.agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const json = ((): Record<string, unknown> => {
            try {
              return text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              return { code: 'BAD_RESPONSE', message: text.slice(0, 200) };
            }
          })();
          if ((res.statusCode ?? 0) >= 400)
            reject(
              new AgentApiError(
                res.statusCode ?? 0,
                String(json.code ?? 'HTTP'),
                String(json.message ?? text),
                res.headers['retry-after'],
              ),
            );
          else resolve(json as T);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Enrolls this device; keeps the device id and bearer token in the state. */
  async enroll(auth: AgentAuth): Promise<AgentEnrollResponse> {
    const res = await this.call<AgentEnrollResponse>(
      'POST',
      '/agent/v1/enroll',
      { auth, device: this.state.facts },
      false,
    );
    this.state.deviceId = res.deviceId;
    this.state.token = res.token;
    this.state.wiped = false;
    this.state.retired = false;
    return res;
  }

  /** Enrolls, turns on the device-admin rights and checks in: the device is then Active. */
  async enrollActive(auth: AgentAuth): Promise<AgentCheckInResponse> {
    await this.enroll(auth);
    this.grantAdmin();
    const res = await this.checkIn();
    if (res.status !== 'active') throw new Error(`the device is ${res.status} after granting admin`);
    return res;
  }

  /** Checks in: reports facts and results, then carries out the actions it gets (their results go with the next check-in). */
  async checkIn(): Promise<AgentCheckInResponse> {
    const results = this.state.pendingResults.splice(0);
    const res = await this.call<AgentCheckInResponse>('POST', '/agent/v1/check-in', {
      facts: this.state.facts,
      results,
    });
    for (const action of res.actions) this.carryOut(action);
    return res;
  }

  /** Gets a new token; the old one stops working. */
  async rotateToken(): Promise<string> {
    const res = await this.call<{ token: string }>('POST', '/agent/v1/token/rotate', undefined);
    this.state.token = res.token;
    return res.token;
  }

  /**
   * Fetches its configurations and brings its Wi-Fi suggestions in line: a new network or a new version is
   * suggested (replacing the old version), a network no longer given is removed. Then reports what it did, with
   * the user CA certificates it sees; unreported results are kept for the next report if that one fails.
   */
  async syncConfigurations(): Promise<{
    configurations: AgentConfigurationsResponse;
    report: AgentConfigurationReportResponse;
  }> {
    const configurations = await this.call<AgentConfigurationsResponse>('GET', '/agent/v1/configurations', undefined);
    const held = (this.state.wifiSuggestions ??= {});
    const results = (this.state.pendingConfigurationResults ??= []);
    const given = new Set(configurations.wifi.map((w) => w.configurationId));
    for (const [id, suggestion] of Object.entries(held))
      if (!given.has(id)) {
        delete held[id];
        results.push({ configurationId: id, version: suggestion.version, status: 'removed' });
      }
    for (const w of configurations.wifi) {
      if (held[w.configurationId]?.version === w.version) continue;
      held[w.configurationId] = w;
      results.push({ configurationId: w.configurationId, version: w.version, status: 'applied' });
    }
    const report = await this.reportConfigurations({
      results: results.slice(0, 50),
      userCaCertificates: (this.state.userCaCertificates ?? []).slice(0, 32),
    });
    results.splice(0, 50);
    return { configurations, report };
  }

  /** Sends a configuration report as it is. */
  reportConfigurations(report: AgentConfigurationReport): Promise<AgentConfigurationReportResponse> {
    return this.call<AgentConfigurationReportResponse>('POST', '/agent/v1/configurations/report', report);
  }

  /** The user installs a CA certificate in Settings (the office CA by the agent's steps, or any other). */
  installUserCa(pem: string): AgentUserCaCertificate {
    const x = new X509Certificate(pem);
    const dn = (s: string) => s.split('\n').filter(Boolean).reverse().join(', ').slice(0, 128);
    const cert = {
      subject: dn(x.subject),
      issuer: dn(x.issuer),
      sha256: createHash('sha256').update(x.raw).digest('hex'),
      notAfter: new Date(x.validTo).toISOString(),
    };
    const list = (this.state.userCaCertificates ??= []);
    if (!list.some((c) => c.sha256 === cert.sha256)) list.push(cert);
    return cert;
  }

  /** The user removes a CA certificate in Settings. */
  removeUserCa(sha256: string): void {
    this.state.userCaCertificates = (this.state.userCaCertificates ?? []).filter((c) => c.sha256 !== sha256);
  }

  /** Turns on the device-admin rights (the user's last enrollment step). */
  grantAdmin(): void {
    this.state.facts = { ...this.state.facts, adminActive: true };
  }

  private carryOut(action: AgentAction): void {
    if (action.type === 'lock') this.state.locked = true;
    if (action.type === 'wipe') this.state.wiped = true;
    if (action.type === 'retire') this.state.retired = true;
    this.state.pendingResults.push({ actionId: action.id, status: 'done', message: `${action.type} carried out` });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
