import type { DirectorySettingsUpdate } from '../../server/contract/directory.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import forge from 'node-forge';
import { tempDir } from './temp-dir.js';

/**
 * A real OpenLDAP server for tests: Debian's /usr/sbin/slapd started by hand on 127.0.0.1 (no system service), from a
 * slapd.conf in a temporary folder, with an mdb database that `slapadd` loaded from a generated LDIF.
 *
 * Layout of the directory it serves (base `dc=example,dc=test`):
 * - `cn=admin,dc=example,dc=test` is the rootdn (password {@link SLAPD_ADMIN_PASSWORD}); tests change entries as it.
 * - `cn=reader,ou=service,dc=example,dc=test` is the connector's bind account (password {@link SLAPD_READER_PASSWORD}):
 *   read access to everything but passwords, and no size limit for paged searches.
 * - `ou=people`: `uid=user00001` ... (inetOrgPerson: `mail` user00001@example.test, `displayName`, `userPassword`
 *   `pw-user00001`); slapadd gives each its `entryUUID`.
 * - `ou=groups`: `cn=staff` (every user but every tenth) and `cn=contractors` (every tenth), groupOfNames.
 *
 * The server's own size limit stays at slapd's default of 500 for everyone else, so a search that does not page
 * fails past 500 entries, as on a real directory.
 *
 * Permissions: slapd runs as the calling user (no `-u`), so it works as root and as any other user; all its files
 * live in one temporary folder under test-output/. On Ubuntu the packaged AppArmor profile (usr.sbin.slapd) confines
 * slapd to /etc/ldap and /var/lib/ldap and would refuse that folder: there, run the tests with the profile in
 * complain mode (`aa-complain /usr/sbin/slapd`) or unloaded. Debian does not ship that profile enforced.
 */
export interface Slapd {
  /** ldap://127.0.0.1:<port> (StartTLS offered). */
  ldapUrl: string;
  /** ldaps://127.0.0.1:<port>. */
  ldapsUrl: string;
  baseDn: string;
  readerDn: string;
  adminDn: string;
  /** The test CA that signed the server certificate (PEM). */
  caPem: string;
  /** Another CA, which signed nothing slapd serves (for the "CA mismatch" case). */
  otherCaPem: string;
  /** SHA-256 fingerprint (colon hex, upper case) of the server certificate. */
  serverFingerprint256: string;
  users: number;
  /** Stops slapd (it can be started again with {@link Slapd.start} on the same ports and data). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops slapd and removes its folder. */
  close(): Promise<void>;
  /** Runs `fn` with a client bound as the rootdn over LDAPS (changes a test makes to the directory). */
  asAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  /** The DN of the n-th generated user. */
  dnOf(n: number): string;
  /** Adds (`add`) or removes (`delete`) a member DN of `cn=<group>,ou=groups`. */
  membership(group: 'staff' | 'contractors', operation: 'add' | 'delete', memberDn: string): Promise<void>;
}

/** The rootdn's password. */
export const SLAPD_ADMIN_PASSWORD = 'admin-secret';
/** The connector's bind password. */
export const SLAPD_READER_PASSWORD = 'reader-secret';
/** The base DN every harness directory uses. */
export const SLAPD_BASE = 'dc=example,dc=test';

/** The uid of the n-th generated user (1-based). */
export const uidOf = (n: number): string => `user${String(n).padStart(5, '0')}`;
/** The password of the n-th generated user. */
export const passwordOf = (n: number): string => `pw-${uidOf(n)}`;

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const MODULES = '/usr/lib/ldap';
const SCHEMA = '/etc/ldap/schema';
const START_WAIT_MS = 10_000;

/** True when Debian's slapd and slapadd are installed. */
export function slapdInstalled(): boolean {
  return existsSync(SLAPD) && existsSync(SLAPADD);
}

/** One free TCP port on 127.0.0.1 (the kernel's choice; released before slapd binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A test CA, a server certificate it signed (for localhost and 127.0.0.1) with its key, and an unrelated CA. */
export interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
  otherCaPem: string;
  fingerprint: string;
}

/** Makes a fresh {@link Pki}. */
export function makePki(): Pki {
  // node:crypto makes the RSA keys (native, fast); node-forge writes the certificates.
  const key = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      priv: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      pub: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  };
  const now = new Date();
  const later = new Date(now.getTime() + 7 * 86_400_000);
  const earlier = new Date(now.getTime() - 86_400_000);
  const caCert = (cn: string, k: ReturnType<typeof key>) => {
    const c = forge.pki.createCertificate();
    c.publicKey = k.pub;
    c.serialNumber = '01' + randomUUID().replace(/-/g, '').slice(0, 14);
    c.validity.notBefore = earlier;
    c.validity.notAfter = later;
    c.setSubject([{ name: 'commonName', value: cn }]);
    c.setIssuer([{ name: 'commonName', value: cn }]);
    c.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    c.sign(k.priv, forge.md.sha256.create());
    return c;
  };
  const caKey = key();
  const ca = caCert('Tsunagu Test LDAP CA', caKey);
  const other = caCert('Some Other CA', key());
  const srvKey = key();
  const srv = forge.pki.createCertificate();
  srv.publicKey = srvKey.pub;
  srv.serialNumber = '02' + randomUUID().replace(/-/g, '').slice(0, 14);
  srv.validity.notBefore = earlier;
  srv.validity.notAfter = later;
  srv.setSubject([
    { name: 'commonName', value: 'ldap.example.test' },
    { name: 'organizationName', value: 'Example' },
  ]);
  srv.setIssuer(ca.subject.attributes);
  srv.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  srv.sign(caKey.priv, forge.md.sha256.create());
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(srv)).getBytes();
  const hex = forge.md.sha256.create().update(der).digest().toHex().toUpperCase();
  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(srv),
    keyPem: srvKey.pem,
    otherCaPem: forge.pki.certificateToPem(other),
    fingerprint: hex.match(/../g)!.join(':'),
  };
}

/** The LDIF of the base, the service account, `users` people and the two groups. */
export function directoryLdif(users: number): string {
  const out: string[] = [];
  out.push(
    `dn: ${SLAPD_BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ou=people,${SLAPD_BASE}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=groups,${SLAPD_BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ou=service,${SLAPD_BASE}\nobjectClass: organizationalUnit\nou: service\n`,
    `dn: cn=reader,ou=service,${SLAPD_BASE}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${SLAPD_READER_PASSWORD}\n`,
  );
  const staff: string[] = [];
  const contractors: string[] = [];
  for (let n = 1; n <= users; n++) {
    const uid = uidOf(n);
    const dn = `uid=${uid},ou=people,${SLAPD_BASE}`;
    out.push(
      `dn: ${dn}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: User ${n}\nsn: ${n}\ngivenName: User\n` +
        `displayName: User ${n}\nmail: ${uid}@example.test\nuserPassword: ${passwordOf(n)}\n`,
    );
    (n % 10 === 0 ? contractors : staff).push(dn);
  }
  const group = (cn: string, members: string[]) =>
    `dn: cn=${cn},ou=groups,${SLAPD_BASE}\nobjectClass: groupOfNames\ncn: ${cn}\n` +
    // groupOfNames needs one member at least.
    (members.length ? members : [`cn=reader,ou=service,${SLAPD_BASE}`]).map((m) => `member: ${m}\n`).join('');
  out.push(group('staff', staff), group('contractors', contractors));
  return out.join('\n');
}

function slapdConf(dir: string): string {
  return `include ${SCHEMA}/core.schema
include ${SCHEMA}/cosine.schema
include ${SCHEMA}/inetorgperson.schema
include ${SCHEMA}/nis.schema
modulepath ${MODULES}
moduleload back_mdb
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCACertificateFile ${dir}/ca.pem
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
loglevel none
sizelimit 500

database mdb
maxsize 1073741824
suffix "${SLAPD_BASE}"
rootdn "cn=admin,${SLAPD_BASE}"
rootpw ${SLAPD_ADMIN_PASSWORD}
directory ${dir}/db
index objectClass eq
index uid,mail,cn eq
index entryUUID eq
index member eq
limits dn.exact="cn=reader,ou=service,${SLAPD_BASE}" size.soft=500 size.hard=unlimited size.prtotal=unlimited
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="cn=reader,ou=service,${SLAPD_BASE}" read by self read by * none
`;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(500, () => done(false));
  });
}

/**
 * Starts slapd with `users` generated people (1,000 by default). Startup waits at most ten seconds; the caller closes
 * it in its teardown (`afterAll(() => slapd.close())`).
 */
export async function startSlapd(options: { users?: number } = {}): Promise<Slapd> {
  const users = options.users ?? 1000;
  const tmp = tempDir('slapd');
  const dir = tmp.path;
  mkdirSync(join(dir, 'db'), { recursive: true });
  const pki = makePki();
  writeFileSync(join(dir, 'ca.pem'), pki.caPem);
  writeFileSync(join(dir, 'server.pem'), pki.certPem);
  writeFileSync(join(dir, 'server.key'), pki.keyPem, { mode: 0o600 });
  chmodSync(join(dir, 'server.key'), 0o600);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
  writeFileSync(join(dir, 'data.ldif'), directoryLdif(users));
  // -q: quick mode (no consistency checks, one transaction per many entries); entryUUID and entryCSN are added.
  const add = spawnSync(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'data.ldif')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (add.status !== 0) {
    tmp.remove();
    throw new Error(`slapadd failed (${add.status}): ${add.stderr}`);
  }
  const ldapPort = await freePort();
  const ldapsPort = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    // -d 0: stay in the foreground (so the child is slapd itself and killing it is enough); no syslog.
    const p = spawn(
      SLAPD,
      ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = p;
    let stderr = '';
    let exited: number | null = null;
    p.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString();
    });
    p.once('exit', (code) => {
      exited = code ?? -1;
    });
    const deadline = Date.now() + START_WAIT_MS;
    while (Date.now() < deadline) {
      if (exited !== null) throw new Error(`slapd exited (${exited}) during startup: ${stderr}`);
      if ((await canConnect(ldapPort)) && (await canConnect(ldapsPort))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    p.kill('SIGKILL');
    throw new Error(`slapd did not listen within ${START_WAIT_MS} ms: ${stderr}`);
  };

  const stop = async () => {
    const p = child;
    child = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => p.kill('SIGKILL'), 5_000);
      p.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      p.kill('SIGTERM');
    });
  };

  try {
    await start();
  } catch (err) {
    await stop();
    tmp.remove();
    throw err;
  }
  return {
    ldapUrl: `ldap://127.0.0.1:${ldapPort}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    baseDn: SLAPD_BASE,
    readerDn: `cn=reader,ou=service,${SLAPD_BASE}`,
    adminDn: `cn=admin,${SLAPD_BASE}`,
    caPem: pki.caPem,
    otherCaPem: pki.otherCaPem,
    serverFingerprint256: pki.fingerprint,
    users,
    stop,
    start,
    async close() {
      await stop();
      tmp.remove();
    },
    asAdmin,
    dnOf: (n) => `uid=${uidOf(n)},ou=people,${SLAPD_BASE}`,
    membership: (group, operation, memberDn) =>
      asAdmin((c) =>
        c.modify(`cn=${group},ou=groups,${SLAPD_BASE}`, [
          new Change({ operation, modification: new Attribute({ type: 'member', values: [memberDn] }) }),
        ]),
      ),
  };

  async function asAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const c = new Client({
      url: `ldaps://127.0.0.1:${ldapsPort}`,
      tlsOptions: { ca: pki.caPem },
      timeout: 10_000,
      strictDN: false,
    });
    await c.bind(`cn=admin,${SLAPD_BASE}`, SLAPD_ADMIN_PASSWORD);
    try {
      return await fn(c);
    } finally {
      await c.unbind();
    }
  }
}

/**
 * The connector settings (PUT /api/directory body) that reach `slapd` over ldap:// with StartTLS as the read-only
 * account, all users, no group filter, no scheduled sync; `overrides` changes what a test needs.
 */
export function connectorSettings(
  slapd: Slapd,
  overrides: Partial<DirectorySettingsUpdate> = {},
): DirectorySettingsUpdate {
  return {
    url: slapd.ldapUrl,
    caPem: slapd.caPem,
    bindDn: slapd.readerDn,
    bindPassword: SLAPD_READER_PASSWORD,
    baseDn: slapd.baseDn,
    userFilter: '(objectClass=inetOrgPerson)',
    groupFilter: '',
    preset: 'openldap',
    syncIntervalMinutes: 0,
    maxDisablePercent: 20,
    ...overrides,
  };
}
