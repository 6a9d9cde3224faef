import { request } from 'node:https';
import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import {
  WIZARD_STEPS,
  type ChecklistDto,
  type ChecklistFactDto,
  type ChecklistItemDto,
  type ChecklistState,
  type HostCheckDto,
  type HostCheckResultDto,
  type HostnamesDto,
  type WizardStateDto,
  type WizardStateUpdate,
} from '../../contract/onboarding.js';
import type { PushStatusDto } from '../../contract/push.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { CaService, TlsNames } from '../ca/ca.service.js';
import type { OnboardingStore } from './onboarding.store.js';

/** A DNS host name as the TLS certificate and links carry it (the rule TSUNAGU_HOSTNAMES follows). */
export const HOSTNAME_RE = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** At most this many host names are saved. */
export const MAX_HOSTNAMES = 8;
/** At most this many names and addresses are tried by one host check, each for at most HOST_CHECK_TIMEOUT_MS. */
export const MAX_HOST_CHECKS = 12;
/** How long one host check waits for the device listener. */
export const HOST_CHECK_TIMEOUT_MS = 3000;
/** Certificates with fewer days left than this are a warning on the checklist. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY = 86_400_000;

/** Asks the device listener's /health on one name or address over HTTPS, trusting only the office CA. */
export type HostProbe = (target: string, port: number, caPem: string) => Promise<HostCheckDto>;

/** The setup wizard: its state, the organisation name, the host names and their check, CA import, the checklist. */
export interface OnboardingService {
  wizard(): WizardStateDto;
  updateWizard(update: WizardStateUpdate, actor: Actor, sourceAddress: string | null): WizardStateDto;
  /** The organisation name in use (saved in the console, else the default). */
  organization(): string;
  setOrganization(name: string, actor: Actor, sourceAddress: string | null): string;
  hostnames(): HostnamesDto;
  /** Saves the host names (refused while TSUNAGU_HOSTNAMES sets them) and re-issues the TLS certificate for them. */
  setHostnames(names: string[], actor: Actor, sourceAddress: string | null): HostnamesDto;
  /** Tries the device listener on every host name and LAN address (bounded in number and time). */
  checkHosts(): Promise<HostCheckResultDto>;
  /** Replaces the office CA with an imported one; refused while devices hold certificates of the current CA. */
  importCa(
    input: { certificatePem: string; privateKeyPem: string },
    actor: Actor,
    sourceAddress: string | null,
  ): { fingerprint256: string; name: string };
  checklist(): Promise<ChecklistDto>;
}

/** Dependencies of the onboarding service. */
export interface OnboardingDeps {
  store: OnboardingStore;
  ca: CaService;
  audit: AuditService;
  clock: Clock;
  transaction: <T>(fn: () => T) => T;
  /** The organisation name before one is saved. */
  defaultOrganization: string;
  /** TSUNAGU_HOSTNAMES, when set (it wins over the console's names). */
  hostnamesFromEnv: readonly string[] | null;
  /** The names the generated TLS certificate covers now (host names, 'localhost', LAN addresses, loopback). */
  tlsNames: () => TlsNames;
  /** This machine's LAN addresses (default: the TLS names' addresses other than loopback). */
  lanAddresses?: () => string[];
  deviceBaseUrl: () => string;
  /** The device listener's port; null when it does not listen (tests without listeners). */
  devicePort: () => number | null;
  /** Certificates of the current CA that are neither revoked nor expired. */
  liveDeviceCertificates: (at: string) => number;
  push: () => PushStatusDto;
  smtpConfigured: () => boolean;
  invitationsTotal: () => number;
  probe?: HostProbe;
}

/** The default host probe: HTTPS GET /health, the office CA the only trust anchor, a short timeout. */
export const probeDeviceListener: HostProbe = (target, port, caPem) =>
  new Promise((resolve) => {
    const done = (ok: boolean, detail: string) => resolve({ target, ok, detail });
    const req = request(
      {
        host: target,
        port,
        path: '/health',
        method: 'GET',
        ca: caPem,
        ...(isIP(target) ? {} : { servername: target }),
        timeout: HOST_CHECK_TIMEOUT_MS,
        agent: false,
      },
      (res) => {
        res.resume();
        done(res.statusCode === 200, `HTTP ${res.statusCode ?? 0}`);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${HOST_CHECK_TIMEOUT_MS / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      done(false, err.code ? `${err.code}: ${err.message}` : err.message),
    );
    req.end();
  });

/** A checklist fact in English (the API's `detail`; the console words the facts itself). */
export function factInEnglish(f: ChecklistFactDto): string {
  switch (f.key) {
    case 'orgSaved':
      return f.name;
    case 'orgNotSet':
      return `not set (certificates and mail say "${f.fallback}")`;
    case 'hostsNone':
      return 'no host name set; devices are sent to the LAN address';
    case 'hostAnswers':
      return `${f.target}: answers`;
    case 'hostFails':
      return `${f.target}: ${f.detail}`;
    case 'caValid':
      return `${f.name}, valid until ${f.until}, SHA-256 ${f.fingerprint}`;
    case 'tlsOffice':
      return `office certificate for ${f.names}, valid until ${f.until}`;
    case 'tlsUncovered':
      return `not covered yet: ${f.names}`;
    case 'tlsPublic':
      return `public certificate ${f.name}, valid until ${f.until}`;
    case 'pushValid':
      return `topic ${f.topic}, valid until ${f.until || '?'}`;
    case 'pushCsrPending':
      return 'a request (CSR) is waiting for the signed certificate';
    case 'pushNone':
      return 'no push certificate';
    case 'mailNotSet':
      return 'SMTP is not set up';
    case 'mailLastTest':
      return `last test mail: ${f.message}`;
    case 'mailUntested':
      return 'SMTP is set up; send a test mail';
    case 'usersInvited':
      return `${f.count} invitation${f.count === 1 ? '' : 's'}`;
    case 'usersNone':
      return 'nobody is invited yet';
  }
}

function certificateState(pem: string, now: Date): { state: ChecklistState; notAfter: string; names: string[] } {
  const x = new X509Certificate(pem);
  const notAfter = new Date(x.validTo);
  const left = notAfter.getTime() - now.getTime();
  const state = left <= 0 ? 'expired' : left < EXPIRY_WARNING_DAYS * DAY ? 'warning' : 'ok';
  return { state, notAfter: notAfter.toISOString(), names: (x.subjectAltName ?? '').split(', ').filter(Boolean) };
}

/** Builds the onboarding service. */
export function createOnboardingService(deps: OnboardingDeps): OnboardingService {
  const { store, ca, audit, clock, transaction } = deps;
  const probe = deps.probe ?? probeDeviceListener;
  const now = () => clock.now();
  // This service is the only writer of the name; certificates, profiles and mail read it often.
  let organization: string | null | undefined;

  // Concurrent checks (the checklist and the host step at once, a double click) share one run.
  let checking: Promise<HostCheckResultDto> | null = null;
  const lanAddresses = deps.lanAddresses ?? (() => deps.tlsNames().ipAddresses.filter((a) => !a.startsWith('127.')));
  async function runHostCheck(): Promise<HostCheckResultDto> {
    const port = deps.devicePort();
    const { names } = service.hostnames();
    const targets = [...new Set([...names, ...lanAddresses()])].slice(0, MAX_HOST_CHECKS);
    if (port === null)
      return {
        port,
        results: targets.map((target) => ({ target, ok: false, detail: 'the device listener does not listen' })),
      };
    const caPem = ca.caCertificate().pem;
    return { port, results: await Promise.all(targets.map((t) => probe(t, port, caPem))) };
  }
  const service: OnboardingService = {
    wizard: () => store.wizard(),

    updateWizard(update, actor, sourceAddress) {
      const state = store.wizard();
      const skipped = new Set(state.skipped);
      if (update.skip) skipped.add(update.skip);
      if (update.unskip) skipped.delete(update.unskip);
      const next: WizardStateDto = {
        step: update.step ?? state.step,
        skipped: WIZARD_STEPS.filter((s) => skipped.has(s)),
        finished: update.finished ?? state.finished,
      };
      transaction(() => {
        store.putWizard(next, now().toISOString());
        if (next.finished !== state.finished)
          audit.record({
            actor,
            action: next.finished ? 'setup.wizard_finished' : 'setup.wizard_restarted',
            subject: { type: 'settings', id: 'wizard', label: 'setup wizard' },
            details: { skipped: next.skipped },
            sourceAddress,
          });
      });
      return next;
    },

    organization() {
      if (organization === undefined) organization = store.organization();
      return organization ?? deps.defaultOrganization;
    },

    setOrganization(name, actor, sourceAddress) {
      const clean = name.trim().replace(/ +/g, ' ');
      if (!clean || clean.length > 64 || /[\p{Cc}\p{Zl}\p{Zp}]/u.test(clean))
        throw new AppError(
          'VALIDATION_FAILED',
          'Enter the organisation name in 1 to 64 characters (it goes into certificates, profiles and mail).',
          { field: 'name' },
        );
      const previous = service.organization();
      if (clean !== previous || store.organization() === null)
        transaction(() => {
          store.putOrganization(clean, now().toISOString());
          audit.record({
            actor,
            action: 'settings.updated',
            subject: { type: 'settings', id: 'organization', label: clean },
            details: { changed: { organization: { from: previous, to: clean } } },
            sourceAddress,
          });
        });
      organization = clean;
      return clean;
    },

    hostnames() {
      return {
        names: [...(deps.hostnamesFromEnv ?? store.hostnames() ?? [])],
        fromEnv: deps.hostnamesFromEnv !== null,
        lanAddresses: lanAddresses(),
        deviceBaseUrl: deps.deviceBaseUrl(),
      };
    },

    setHostnames(names, actor, sourceAddress) {
      if (deps.hostnamesFromEnv)
        throw new AppError(
          'VALIDATION_FAILED',
          'TSUNAGU_HOSTNAMES sets the host names on this server; change it there and restart, or unset it to set them here.',
          { field: 'names', reason: 'fromEnv' },
        );
      const clean = [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))];
      if (clean.length === 0 || clean.length > MAX_HOSTNAMES)
        throw new AppError('VALIDATION_FAILED', `Enter 1 to ${MAX_HOSTNAMES} host names, such as mdm.office.lan.`, {
          field: 'names',
        });
      const wrong = clean.find((n) => !HOSTNAME_RE.test(n) || isIP(n) !== 0);
      if (wrong)
        throw new AppError(
          'VALIDATION_FAILED',
          `"${wrong.slice(0, 80)}" is not a DNS host name; use letters, digits and hyphens in dot-separated labels, such as mdm.office.lan (LAN addresses are added by themselves).`,
          { field: 'names', value: wrong.slice(0, 80) },
        );
      const previous = store.hostnames();
      transaction(() => {
        store.putHostnames(clean, now().toISOString());
        audit.record({
          actor,
          action: 'settings.updated',
          subject: { type: 'settings', id: 'hostnames', label: clean.join(', ') },
          details: { changed: { hostnames: { from: previous, to: clean } } },
          sourceAddress,
        });
      });
      // The names are read through tlsNames (start.ts reads the saved ones): the certificate follows at once.
      ca.ensureTlsCredential(deps.tlsNames());
      return service.hostnames();
    },

    checkHosts() {
      checking ??= runHostCheck().finally(() => {
        checking = null;
      });
      return checking;
    },

    importCa(input, actor, sourceAddress) {
      const live = deps.liveDeviceCertificates(now().toISOString());
      if (live > 0)
        throw new AppError(
          'CA_IN_USE',
          `${live} device certificate${live === 1 ? '' : 's'} of the current office CA ${live === 1 ? 'is' : 'are'} still valid: devices enrolled with it would no longer be trusted. Keep the current CA, or remove those devices first.`,
          { liveCertificates: live },
        );
      ca.importOfficeCa(input, deps.tlsNames(), actor, sourceAddress);
      const { fingerprint256, name } = ca.caCertificate();
      return { fingerprint256, name };
    },

    async checklist() {
      const at = now();
      const items: ChecklistItemDto[] = [];
      const add = (id: ChecklistItemDto['id'], state: ChecklistState, facts: ChecklistFactDto[], link: string) =>
        items.push({ id, state, facts, detail: facts.map(factInEnglish).join('; '), link });

      const saved = store.organization();
      add(
        'organization',
        saved ? 'ok' : 'missing',
        [saved ? { key: 'orgSaved', name: saved } : { key: 'orgNotSet', fallback: deps.defaultOrganization }],
        '/wizard?step=organization',
      );

      const hosts = service.hostnames();
      const checked = await service.checkHosts();
      const failing = checked.results.filter((r) => !r.ok);
      add(
        'hostnames',
        hosts.names.length === 0 || checked.results.length === 0 || failing.length === checked.results.length
          ? 'missing'
          : failing.length > 0
            ? 'warning'
            : 'ok',
        hosts.names.length === 0
          ? [{ key: 'hostsNone' }]
          : checked.results.map((r) =>
              r.ok
                ? { key: 'hostAnswers', target: r.target }
                : { key: 'hostFails', target: r.target, detail: r.detail },
            ),
        '/wizard?step=hostnames',
      );

      const caCert = ca.caCertificate();
      const caState = certificateState(caCert.pem, at);
      add(
        'ca',
        caState.state,
        [{ key: 'caValid', name: caCert.name, until: caState.notAfter, fingerprint: caCert.fingerprint256 }],
        '/wizard?step=ca',
      );

      const tls = ca.tlsCredentials();
      const office = certificateState(tls.office.certPem, at);
      const wanted = deps.tlsNames();
      const covered = new Set(office.names.map((n) => n.replace(/^IP Address:/, 'IP:')));
      const uncovered = [
        ...wanted.dnsNames.map((n) => `DNS:${n}`),
        ...wanted.ipAddresses.map((ip) => `IP:${ip}`),
      ].filter((n) => !covered.has(n));
      let tlsState: ChecklistState = office.state;
      const tlsFacts: ChecklistFactDto[] = [
        { key: 'tlsOffice', names: office.names.join(', '), until: office.notAfter },
      ];
      if (uncovered.length > 0 && tlsState === 'ok') tlsState = 'warning';
      if (uncovered.length > 0) tlsFacts.push({ key: 'tlsUncovered', names: uncovered.join(', ') });
      if (tls.public) {
        const pub = certificateState(tls.public.certPem, at);
        const rank: ChecklistState[] = ['ok', 'warning', 'missing', 'expired'];
        if (rank.indexOf(pub.state) > rank.indexOf(tlsState)) tlsState = pub.state;
        tlsFacts.push({ key: 'tlsPublic', name: ca.publicName() ?? '', until: pub.notAfter });
      }
      add('tls', tlsState, tlsFacts, '/settings/tls');

      const push = deps.push();
      add(
        'push',
        !push.configured
          ? 'missing'
          : push.warning === 'expired'
            ? 'expired'
            : push.warning === 'expiring'
              ? 'warning'
              : 'ok',
        [
          push.configured
            ? { key: 'pushValid', topic: push.topic ?? '?', until: push.notAfter ?? '' }
            : push.csrPending
              ? { key: 'pushCsrPending' }
              : { key: 'pushNone' },
        ],
        '/settings/push',
      );

      const lastTest = audit.list({ action: 'mail.test_sent', limit: 1 }).items[0];
      const lastSave = audit.list({ action: 'settings.updated', subject: 'smtp', limit: 1 }).items[0];
      const testCounts = lastTest && (!lastSave || lastTest.seq > lastSave.seq);
      const testOk = testCounts && lastTest.details.ok === true;
      add(
        'mail',
        !deps.smtpConfigured() ? 'missing' : testOk ? 'ok' : 'warning',
        [
          !deps.smtpConfigured()
            ? { key: 'mailNotSet' }
            : testCounts
              ? { key: 'mailLastTest', message: String(lastTest.details.message ?? '') }
              : { key: 'mailUntested' },
        ],
        '/settings/mail',
      );

      const invited = deps.invitationsTotal();
      add(
        'users',
        invited > 0 ? 'ok' : 'missing',
        [invited > 0 ? { key: 'usersInvited', count: invited } : { key: 'usersNone' }],
        '/users',
      );
      return { items, allOk: items.every((i) => i.state === 'ok') };
    },
  };
  return service;
}
