import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AgentAuth } from '../../server/contract/agent.js';
import { AndroidAgent, androidFacts, type AgentState } from './android-agent.js';

const USAGE = `Usage: npm run agent -- <command> [options]

  enroll --server URL --ca-sha256 HEX (--email E (--password P | --pin N) | --qr JSON) [--api-level 33] [--hardware-id ID] [--state FILE] [--loopback]
  check-in [--state FILE]
  run [--state FILE] [--interval SECONDS] [--count N]
  rotate-token [--state FILE]
  install-ca --pem FILE [--state FILE]     (the user installs a CA certificate in Settings)

check-in and run also fetch the Wi-Fi networks to suggest and report them, with the user's CA certificates.

The QR JSON is what the portal's agent QR code holds: {"v":1,"server":"https://...","token":"...","caSha256":"..."}.
--loopback sends every request to 127.0.0.1 whatever the host name (for tests on one machine).`;

function opts(args: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) throw new Error(`Unexpected argument ${a}.`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else {
      out[a.slice(2)] = next;
      i++;
    }
  }
  return out;
}

/** Runs the reference agent CLI; returns the exit code. */
export async function main(
  argv: string[],
  print: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  const o = opts(rest);
  const stateFile = typeof o.state === 'string' ? o.state : 'agent-state.json';
  const loopback = o.loopback === true;
  const save = (s: AgentState) => writeFileSync(stateFile, JSON.stringify(s, null, 2), { mode: 0o600 });
  const load = (): AgentState => JSON.parse(readFileSync(stateFile, 'utf8')) as AgentState;
  try {
    if (command === 'enroll') {
      let server = typeof o.server === 'string' ? o.server : '';
      let pin = typeof o['ca-sha256'] === 'string' ? o['ca-sha256'] : '';
      let auth: AgentAuth;
      if (typeof o.qr === 'string') {
        const qr = JSON.parse(o.qr) as { server: string; token: string; caSha256: string };
        server = qr.server;
        pin = qr.caSha256;
        auth = { method: 'qr', token: qr.token };
      } else if (typeof o.email === 'string' && typeof o.password === 'string')
        auth = { method: 'password', email: o.email, password: o.password };
      else if (typeof o.email === 'string' && typeof o.pin === 'string')
        auth = { method: 'pin', email: o.email, pin: o.pin };
      else throw new Error('Give --qr, or --email with --password or --pin.');
      if (!server || !pin) throw new Error('Give --server and --ca-sha256 (or --qr).');
      const caPem = await AndroidAgent.pinCa(server, pin, { loopback });
      const facts = androidFacts(
        Number(o['api-level'] ?? 33),
        typeof o['hardware-id'] === 'string' ? o['hardware-id'] : randomBytes(8).toString('hex'),
      );
      const agent = new AndroidAgent({
        server,
        caPem,
        deviceId: null,
        token: null,
        facts,
        pendingResults: [],
        locked: false,
        wiped: false,
        retired: false,
        loopback,
      });
      const res = await agent.enroll(auth);
      agent.grantAdmin();
      save(agent.state);
      agent.close();
      print(`Enrolled as device ${res.deviceId} (${res.status}); state saved to ${stateFile}.`);
      return 0;
    }
    if (command === 'install-ca') {
      if (typeof o.pem !== 'string') throw new Error('Give --pem FILE.');
      const agent = new AndroidAgent(load());
      const cert = agent.installUserCa(readFileSync(o.pem, 'utf8'));
      save(agent.state);
      agent.close();
      print(`Installed the CA certificate ${cert.subject} (SHA-256 ${cert.sha256}).`);
      return 0;
    }
    if (command === 'check-in' || command === 'run' || command === 'rotate-token') {
      const agent = new AndroidAgent(load());
      try {
        if (command === 'rotate-token') {
          await agent.rotateToken();
          save(agent.state);
          print('Token rotated.');
          return 0;
        }
        const count = command === 'run' ? Number(o.count ?? Infinity) : 1;
        const interval = Number(o.interval ?? 0);
        for (let i = 0; i < count; i++) {
          const res = await agent.checkIn();
          save(agent.state);
          print(
            `Checked in: ${res.status}; ${res.actions.length} action(s)${res.reminder ? `; reminder: ${res.reminder.message}` : ''}`,
          );
          if (res.stop) {
            print('The server told this agent to stop.');
            return 0;
          }
          const { configurations, report } = await agent.syncConfigurations();
          save(agent.state);
          print(
            `Wi-Fi: ${configurations.wifi.map((w) => w.ssid).join(', ') || 'none'}; office CA ${report.officeCaInstalled ? 'installed' : 'not installed'}; ${report.unknownCaCertificates} other CA certificate(s)`,
          );
          if (i + 1 < count) await new Promise((r) => setTimeout(r, (interval || res.checkInIntervalSeconds) * 1000));
        }
        return 0;
      } finally {
        agent.close();
      }
    }
    print(USAGE);
    return command ? 2 : 0;
  } catch (err) {
    print(`Error: ${(err as Error).message}`);
    return 1;
  }
}
