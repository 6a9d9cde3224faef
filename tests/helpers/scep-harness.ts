import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Clock } from '../../server/core/clock.js';
import type { Random } from '../../server/core/random.js';
import { migrate } from '../../server/db/migrate.js';
import { openDatabase, type Db } from '../../server/db/open.js';
import { installErrorHandler } from '../../server/http/error-handler.js';
import { createAuditService, type AuditService } from '../../server/modules/audit/audit.service.js';
import { createAuditStore } from '../../server/modules/audit/audit.store.js';
import { generateRsaKeyPair, issueCertificate, randomSerialHex } from '../../server/pki/x509.js';
import { scepRoutes } from '../../server/modules/scep/scep.routes.js';
import { createScepService, type ScepService } from '../../server/modules/scep/scep.service.js';
import type {
  ChallengeResult,
  IdentityTemplate,
  IdentityTemplatePort,
  IssuedCertificatePort,
  IssuedCertificateRecord,
  IssuedCertificateStatus,
  PreviousIssue,
  ScepChallengePort,
} from '../../server/modules/scep/scep.ports.js';

// In-process SCEP server for tests and the benchmark: the real service and routes over in-memory ports
// (a real one-time, expiring challenge map) and the real audit service on SQLite.

/**
 * One-time challenges with a time to live, consumed by a synchronous check-and-mark (atomic in one process), and the
 * identity template of each enrollment: O = Tsunagu Tests, CN = the enrollment id.
 */
export class MemoryChallenges implements ScepChallengePort, IdentityTemplatePort {
  private readonly entries = new Map<string, { enrollmentId: string; expiresAt: number; used: boolean }>();
  /** Every consume call, for assertions. */
  readonly calls: { challenge: string | null; transactionId: string; subject: string; result: ChallengeResult }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly ttlMs = 15 * 60_000,
    private readonly noChallengeEnrollment: string | null = null,
  ) {}

  /** Mints a fresh challenge for an enrollment. */
  issue(enrollmentId = `enr-${this.random.uuid()}`): string {
    const challenge = this.random.bytes(18).toString('base64url');
    this.entries.set(challenge, { enrollmentId, expiresAt: this.clock.now().getTime() + this.ttlMs, used: false });
    return challenge;
  }

  templateFor(enrollmentId: string): IdentityTemplate {
    return {
      subject: [
        { shortName: 'O', value: 'Tsunagu Tests' },
        { shortName: 'CN', value: enrollmentId },
      ],
    };
  }

  check(challenge: string | null): ChallengeResult {
    return this.evaluate(challenge, false);
  }

  consume(challenge: string | null, info: { transactionId: string; subject: string }): ChallengeResult {
    const result = this.evaluate(challenge, true);
    this.calls.push({ challenge, ...info, result });
    return result;
  }

  private evaluate(challenge: string | null, consume: boolean): ChallengeResult {
    if (challenge === null || challenge === '')
      return this.noChallengeEnrollment
        ? { ok: true, enrollmentId: this.noChallengeEnrollment }
        : { ok: false, reason: 'missing' };
    const entry = this.entries.get(challenge);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.used) return { ok: false, reason: 'used' };
    if (this.clock.now().getTime() >= entry.expiresAt) return { ok: false, reason: 'expired' };
    if (consume) entry.used = true;
    return { ok: true, enrollmentId: entry.enrollmentId };
  }
}

/** Issued certificates in memory, with revocation for renewal tests. */
export class MemoryIssuedCertificates implements IssuedCertificatePort {
  readonly records: IssuedCertificateRecord[] = [];
  private readonly revoked = new Set<string>();

  record(rec: IssuedCertificateRecord): void {
    if (this.records.some((r) => r.serialHex === rec.serialHex))
      throw new Error(`Serial ${rec.serialHex} was issued twice.`);
    this.records.push(rec);
  }

  findBySerial(serialHex: string): IssuedCertificateStatus | undefined {
    const rec = this.records.find((r) => r.serialHex === serialHex);
    return (
      rec && {
        enrollmentId: rec.enrollmentId,
        revoked: this.revoked.has(serialHex),
        notAfter: rec.notAfter,
        purpose: rec.purpose,
        ...(rec.configuration ? { configuration: rec.configuration } : {}),
      }
    );
  }

  findByTransaction(transactionId: string): PreviousIssue[] {
    return this.records
      .filter((r) => r.transactionId === transactionId)
      .reverse()
      .map((r) => ({
        serialHex: r.serialHex,
        enrollmentId: r.enrollmentId,
        certPem: r.certPem,
        kind: r.kind,
        revoked: this.revoked.has(r.serialHex),
        purpose: r.purpose,
      }));
  }

  /** Marks a certificate revoked. */
  revoke(serialHex: string): void {
    this.revoked.add(serialHex);
  }
}

/** A CA certificate and key (PEM), shaped like the office CA (RFC 8894 §2.1.2 key usages). */
export function createTestCa(options: { now?: Date; bits?: number; cn?: string; random: Random }): {
  certPem: string;
  keyPem: string;
} {
  const now = options.now ?? new Date();
  const keys = generateRsaKeyPair(options.bits ?? 2048);
  const certPem = issueCertificate({
    subject: [
      { shortName: 'CN', value: options.cn ?? 'Tsunagu Test SCEP CA' },
      { shortName: 'O', value: 'Tsunagu Tests' },
    ],
    publicKeyPem: keys.publicKeyPem,
    signingKeyPem: keys.privateKeyPem,
    serialHex: randomSerialHex(options.random.bytes(16)),
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 3650 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      {
        name: 'keyUsage',
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: true,
        keyEncipherment: true,
        critical: true,
      },
      { name: 'subjectKeyIdentifier' },
    ],
  });
  return { certPem, keyPem: keys.privateKeyPem };
}

/** The real audit service over a migrated SQLite database (`:memory:` unless a file is given). */
export function createTestAudit(clock: Clock, random: Random, file = ':memory:'): { audit: AuditService; db: Db } {
  const db = openDatabase(file);
  migrate(db, undefined, clock.now());
  return { audit: createAuditService({ store: createAuditStore(db), clock, random }), db };
}

/** A running SCEP test server and its parts. */
export interface ScepTestServer {
  url: string;
  app: FastifyInstance;
  scep: ScepService;
  ca: { certPem: string; keyPem: string };
  challenges: MemoryChallenges;
  certificates: MemoryIssuedCertificates;
  audit: AuditService;
  close(): Promise<void>;
}

/** Builds the SCEP Fastify app (error handler + routes) without listening; HTTPS with a key pair, request logs to a file. */
export async function buildScepApp(
  scep: ScepService,
  options: { https?: { key: string; cert: string }; logFile?: string } = {},
): Promise<FastifyInstance> {
  const logger = options.logFile ? { level: 'info', file: options.logFile } : false;
  const app = (options.https
    ? Fastify({ logger, https: options.https })
    : Fastify({ logger })) as unknown as FastifyInstance;
  installErrorHandler(app);
  await app.register(scepRoutes, { scep });
  return app;
}

/** A TLS server certificate for 127.0.0.1 issued by `ca` (serverAuth, IP SAN). */
export function loopbackTlsCredential(
  ca: { certPem: string; keyPem: string },
  random: Random,
  now: Date,
): { key: string; cert: string } {
  const keys = generateRsaKeyPair(2048);
  const cert = issueCertificate({
    subject: [{ shortName: 'CN', value: '127.0.0.1' }],
    issuerCertPem: ca.certPem,
    publicKeyPem: keys.publicKeyPem,
    signingKeyPem: ca.keyPem,
    serialHex: randomSerialHex(random.bytes(16)),
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      { name: 'authorityKeyIdentifier' },
    ],
  });
  return { key: keys.privateKeyPem, cert };
}

/** Starts the SCEP server on 127.0.0.1 with a fresh port (HTTPS with a CA-issued certificate when `tls`). */
export async function startScepServer(options: {
  clock: Clock;
  random: Random;
  ca?: { certPem: string; keyPem: string };
  auditFile?: string;
  logFile?: string;
  challengeTtlMs?: number;
  tls?: boolean;
}): Promise<ScepTestServer> {
  const { clock, random } = options;
  const ca = options.ca ?? createTestCa({ now: clock.now(), random });
  const challenges = new MemoryChallenges(clock, random, options.challengeTtlMs);
  const certificates = new MemoryIssuedCertificates();
  const { audit, db } = createTestAudit(clock, random, options.auditFile);
  const scep = createScepService({
    ca: () => ca,
    challenges,
    templates: challenges,
    certificates,
    audit,
    clock,
    random,
  });
  const app = await buildScepApp(scep, {
    ...(options.tls ? { https: loopbackTlsCredential(ca, random, new Date()) } : {}),
    ...(options.logFile ? { logFile: options.logFile } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/scep`,
    app,
    scep,
    ca,
    challenges,
    certificates,
    audit,
    close: async () => {
      await app.close();
      await scep.close();
      db.close();
    },
  };
}
