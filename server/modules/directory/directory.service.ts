import { X509Certificate } from 'node:crypto';
import { FilterParser, InvalidCredentialsError } from 'ldapts';
import type { Actor } from '../../contract/audit.js';
import type {
  DirectoryLinkCandidate,
  DirectoryMapping,
  DirectoryPersonDto,
  DirectoryPreviewDto,
  DirectoryPreset,
  DirectoryRunCounts,
  DirectoryRunDto,
  DirectorySettingsDto,
  DirectorySettingsUpdate,
  DirectorySyncRequest,
  DirectoryTestResult,
} from '../../contract/directory.js';
import type { Locale } from '../../contract/users.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { normalizeEmail } from '../../core/ids.js';
import type { Random } from '../../core/random.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { UserRow, UsersStore } from '../users/users.store.js';
import {
  DEFAULT_TIMEOUTS,
  describeFailure,
  DirectoryFailure,
  openSession,
  pemCertificates,
  probeTls,
  searchAll,
  type DirectoryConnection,
  type DirectorySession,
  type DirectoryTimeouts,
} from './directory-client.js';
import {
  attributesOf,
  BINARY_ATTRIBUTES,
  escapeFilterValue,
  normalizeDn,
  uniqueIdAssertion,
  personOf,
  PRESETS,
  PRESET_USER_FILTERS,
} from './directory-mapping.js';
import { anyOf, expandMembers, IN_CHAIN_RULE, walkUp, type GroupLookups } from './directory-groups.js';
import { noCounts, type DirectoryStore, type RunRow } from './directory.store.js';

/** Who is acting and from where, for the audit trail. */
export interface DirectoryCtx {
  actor: Actor;
  sourceAddress: string | null;
}

/** What a sync ends elsewhere when it disables or links a user: ports, so this module imports no other service. */
export interface DirectoryEffects {
  /** The user was disabled (left the directory, or disabled there): sessions, sign-in codes, invitations and PINs end. */
  disabled(
    user: Pick<UserRow, 'id' | 'email'>,
    ctx: DirectoryCtx,
  ): { sessionsEnded: number; invitationsRevoked: number };
  /** A local user was linked to the directory: sessions opened with the local password end. */
  linked(user: Pick<UserRow, 'id' | 'email'>): number;
}

/** Limits of one run. */
export interface DirectoryLimits {
  pageSize: number;
  /** More entries than this (users or group members) fail the run: a directory cannot flood the server. */
  maxEntries: number;
  /** More bytes than this on the connection during one search fail the run too. */
  maxBytes: number;
}

/** The defaults: pages of 500, at most 100,000 entries and 256 MB a search. */
export const DEFAULT_LIMITS: DirectoryLimits = Object.freeze({
  pageSize: 500,
  maxEntries: 100_000,
  maxBytes: 256 * 1024 * 1024,
});

/** How many connection tests a window allows (each may bind with a password the caller chose). */
export const TESTS_PER_WINDOW = 20;
const TEST_WINDOW_MS = 10 * 60_000;

/** A run that would disable no more than this many users never asks, whatever the share. */
export const GUARD_FLOOR = 2;

/** Dependencies of the directory service. */
export interface DirectoryDeps {
  store: DirectoryStore;
  users: UsersStore;
  secrets: SecretBox;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
  effects: DirectoryEffects;
  defaultLocale?: () => Locale;
  timeouts?: DirectoryTimeouts;
  limits?: DirectoryLimits;
}

/** The LDAP connector: settings, connection test, preview, import and sync, and the record of runs. */
export interface DirectoryService {
  settings(): DirectorySettingsDto;
  updateSettings(update: DirectorySettingsUpdate, ctx: DirectoryCtx): DirectorySettingsDto;
  /** Checks the stored settings, or `candidate` (unsaved; its absent password is the stored one), step by step. */
  test(candidate?: DirectorySettingsUpdate): Promise<DirectoryTestResult>;
  /** What an import would do now, changing nothing. */
  preview(request?: DirectorySyncRequest): Promise<DirectoryPreviewDto>;
  /**
   * Imports or syncs now in one transaction: a failure changes nothing and is recorded; a run that would disable more
   * than the set share stops (recorded, DIRECTORY_CONFIRM_REQUIRED) until `confirmDisable` names that number.
   */
  sync(request: DirectorySyncRequest, ctx: DirectoryCtx & { trigger?: 'admin' | 'schedule' }): Promise<DirectoryRunDto>;
  /** Runs a scheduled sync when the interval has passed since the last run (the scheduler calls this). */
  syncIfDue(): Promise<DirectoryRunDto | null>;
  runs(limit?: number): DirectoryRunDto[];
  /**
   * Checks a directory user's password by a bind as their entry, found by what they typed (login name or email,
   * RFC 4515-escaped) and matched by unique id; the password is never stored. An empty password is refused without
   * any bind. 'unavailable': the directory could not be asked (not the person's fault). Once the bind succeeded, the
   * connector's account checks that the entry is still in scope (user filter, disabled flag, allowed groups, nested
   * ones included), so a person who left is refused before the next sync.
   */
  authenticate(user: Pick<UserRow, 'external_id'>, typed: string, password: string): Promise<DirectoryAuthResult>;
}

/**
 * What a directory sign-in found: the password is right ('ok') or not ('wrong'), the directory could not be asked
 * ('unavailable'), or the password is right but the person is out of the connector's scope now: their entry no longer
 * matches the user filter ('left'), is disabled there ('disabled'), or is in none of the allowed groups
 * ('not_in_group'). Scope is checked only after a bind succeeded, so it is told only to someone who knows the password.
 */
export type DirectoryAuthResult = 'ok' | 'wrong' | 'unavailable' | DirectoryScopeRefusal;

/** Why a person whose password is right is out of the connector's scope. */
export type DirectoryScopeRefusal = 'left' | 'disabled' | 'not_in_group';

/** The settings as stored (JSON in directory_connector.settings). */
interface StoredSettings {
  url: string;
  caPem: string;
  bindDn: string;
  baseDn: string;
  userFilter: string;
  groupFilter: string;
  preset: DirectoryPreset;
  mapping: DirectoryMapping;
  syncIntervalMinutes: number;
  maxDisablePercent: number;
}

const PASSWORD_LABEL = 'directory:bind-password';
const SCHEDULER: Actor = Object.freeze({ type: 'system', id: null, label: 'directory sync' });
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]{0,63}|\d+(?:\.\d+)+)$/;

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { field });
}

/** Checks a filter an admin typed: one balanced RFC 4515 filter, so nothing can be appended to the filters we build. */
export function filterProblem(filter: string): string | null {
  const f = filter.trim();
  if (!f.startsWith('(') || !f.endsWith(')')) return 'A filter must be in parentheses, e.g. (objectClass=person).';
  try {
    FilterParser.parseString(f);
  } catch (err) {
    return `The filter is not valid LDAP syntax: ${(err as Error).message}`;
  }
  return null;
}

/** Validates settings as an admin sent them; returns them as stored. */
export function validateSettings(u: DirectorySettingsUpdate): StoredSettings {
  let url: URL;
  try {
    url = new URL(u.url.trim());
  } catch {
    throw invalid('url', 'The URL must look like ldaps://ldap.example.com or ldap://ldap.example.com:389.');
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:')
    throw invalid('url', 'The URL must start with ldaps:// or ldap:// (ldap:// is always upgraded with StartTLS).');
  if (!url.hostname || url.username || url.password || (url.pathname && url.pathname !== '/') || url.search || url.hash)
    throw invalid('url', 'The URL is a host and an optional port only, e.g. ldaps://dc1.example.com:636.');
  const caPem = u.caPem.trim();
  if (caPem) {
    const certs = pemCertificates(caPem);
    if (certs.length === 0)
      throw invalid('caPem', 'The CA to trust must be PEM certificates (-----BEGIN CERTIFICATE-----).');
    for (const c of certs) {
      try {
        new X509Certificate(c);
      } catch {
        throw invalid('caPem', 'One of the CA certificates could not be read; paste the PEM text unchanged.');
      }
    }
  }
  const dn = (field: 'bindDn' | 'baseDn', label: string) => {
    const v = u[field].trim();
    if (!v || v.length > 1024 || [...v].some((c) => c.charCodeAt(0) < 0x20))
      throw invalid(field, `${label} must be a DN such as dc=example,dc=com.`);
    return v;
  };
  const userFilter = u.userFilter.trim() || PRESET_USER_FILTERS[u.preset];
  const up = filterProblem(userFilter);
  if (up) throw invalid('userFilter', `User filter: ${up}`);
  const groupFilter = u.groupFilter.trim();
  if (groupFilter) {
    const gp = filterProblem(groupFilter);
    if (gp) throw invalid('groupFilter', `Group filter: ${gp}`);
  }
  const mapping: DirectoryMapping = { ...PRESETS[u.preset], ...(u.mapping ?? {}) };
  for (const key of ['uniqueId', 'email', 'displayName', 'login', 'groupMember'] as const) {
    if (!ATTRIBUTE.test(mapping[key]))
      throw invalid(`mapping.${key}`, `"${mapping[key]}" is not an attribute name (letters, digits and hyphens).`);
  }
  if (!Number.isInteger(u.syncIntervalMinutes) || (u.syncIntervalMinutes !== 0 && u.syncIntervalMinutes < 5))
    throw invalid('syncIntervalMinutes', 'Sync every 5 minutes or more, or 0 for "sync now" only.');
  if (!Number.isInteger(u.maxDisablePercent) || u.maxDisablePercent < 1 || u.maxDisablePercent > 100)
    throw invalid('maxDisablePercent', 'The share of users a run may disable without asking is 1 to 100 percent.');
  return {
    url: `${url.protocol}//${url.host}`,
    caPem,
    bindDn: dn('bindDn', 'The bind DN'),
    baseDn: dn('baseDn', 'The base DN'),
    userFilter,
    groupFilter,
    preset: u.preset,
    mapping,
    syncIntervalMinutes: u.syncIntervalMinutes,
    maxDisablePercent: u.maxDisablePercent,
  };
}

interface Fetched {
  entries: number;
  persons: DirectoryPersonDto[];
  skipped: { dn: string; reason: string }[];
}

interface Plan {
  create: DirectoryPersonDto[];
  update: { row: UserRow; person: DirectoryPersonDto }[];
  link: { row: UserRow; person: DirectoryPersonDto }[];
  disable: { row: UserRow; state: 'left' | 'disabled' }[];
  enable: { row: UserRow; person: DirectoryPersonDto }[];
  unchanged: number;
  skipped: { dn: string; reason: string }[];
  linkable: DirectoryLinkCandidate[];
  /** Live directory users that are enabled now (the guard's whole). */
  enabledNow: number;
}

/** What a run would do with these entries against these users: pure, so the preview and the run agree. */
export function planRun(
  fetched: Fetched,
  directoryUsers: UserRow[],
  localByEmail: Map<string, UserRow>,
  link: ReadonlySet<string>,
): Plan {
  const byExternal = new Map(directoryUsers.map((u) => [u.external_id ?? '', u]));
  const plan: Plan = {
    create: [],
    update: [],
    link: [],
    disable: [],
    enable: [],
    unchanged: 0,
    skipped: [...fetched.skipped],
    linkable: [],
    enabledNow: directoryUsers.filter((u) => u.disabled === 0).length,
  };
  const seen = new Set<string>();
  for (const p of fetched.persons) {
    seen.add(p.externalId);
    const row = byExternal.get(p.externalId);
    if (row) {
      const differs =
        row.email !== p.email ||
        row.display_name !== p.displayName ||
        row.directory_dn !== p.dn ||
        row.directory_login !== p.login;
      if (p.disabled) {
        if (row.disabled === 0 || (row.directory_state !== null && row.directory_state !== 'disabled'))
          plan.disable.push({ row, state: 'disabled' });
        else plan.unchanged++;
        if (differs) plan.update.push({ row, person: p });
        continue;
      }
      if (row.directory_state !== null) plan.enable.push({ row, person: p });
      if (differs) plan.update.push({ row, person: p });
      else if (row.directory_state === null) plan.unchanged++;
      continue;
    }
    const local = localByEmail.get(normalizeEmail(p.email));
    if (local) {
      if (link.has(local.id)) plan.link.push({ row: local, person: p });
      else {
        plan.linkable.push({
          userId: local.id,
          email: local.email,
          displayName: local.display_name,
          externalId: p.externalId,
        });
        plan.skipped.push({ dn: p.dn, reason: `${p.email} is a local user; link them to import this entry` });
      }
      continue;
    }
    if (p.disabled) {
      plan.skipped.push({ dn: p.dn, reason: 'disabled in the directory' });
      continue;
    }
    plan.create.push(p);
  }
  for (const row of directoryUsers) {
    // Left the directory (or the filter, or the group). A user an admin disabled by hand stays as it is.
    if (!seen.has(row.external_id ?? '') && row.disabled === 0) plan.disable.push({ row, state: 'left' });
  }
  return plan;
}

function countsOf(plan: Plan, entries: number): DirectoryRunCounts {
  return {
    entries,
    created: plan.create.length,
    updated: plan.update.length,
    linked: plan.link.length,
    disabled: plan.disable.length,
    enabled: plan.enable.length,
    unchanged: plan.unchanged,
    skipped: plan.skipped.length,
  };
}

function toRunDto(r: RunRow): DirectoryRunDto {
  return {
    id: r.id,
    kind: r.kind,
    trigger: r.trigger,
    startedBy: r.started_by,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    counts: { ...noCounts(), ...(JSON.parse(r.counts) as Partial<DirectoryRunCounts>) },
    errorCode: r.error_code,
    error: r.error,
  };
}

/** Builds the directory service. */
export function createDirectoryService(deps: DirectoryDeps): DirectoryService {
  const { store, users, secrets, audit, clock, random, transaction, effects } = deps;
  const timeouts = deps.timeouts ?? DEFAULT_TIMEOUTS;
  const limits = deps.limits ?? DEFAULT_LIMITS;
  let running = false;
  const testTimes: number[] = [];

  const stored = (): { s: StoredSettings; password: string | null; updatedAt: string } | null => {
    const row = store.connector();
    if (!row) return null;
    return {
      s: JSON.parse(row.settings) as StoredSettings,
      password: row.bind_password_sealed
        ? secrets.open(row.bind_password_sealed, PASSWORD_LABEL).toString('utf8')
        : null,
      updatedAt: row.updated_at,
    };
  };

  const required = () => {
    const st = stored();
    if (!st || !st.password)
      throw new AppError(
        'DIRECTORY_NOT_CONFIGURED',
        'The directory connector is not set up: save its URL, bind DN and password, and base DN first.',
      );
    return { s: st.s, conn: connectionOf(st.s, st.password) };
  };

  const connectionOf = (s: StoredSettings, password: string): DirectoryConnection => ({
    url: s.url,
    caPem: s.caPem,
    bindDn: s.bindDn,
    bindPassword: password,
  });

  const fetchPeople = async (s: StoredSettings, conn: DirectoryConnection): Promise<Fetched> => {
    const session: DirectorySession = await openSession(conn, timeouts);
    try {
      const entries = await searchAll(
        session,
        conn,
        s.baseDn,
        {
          filter: s.userFilter,
          attributes: attributesOf(s.mapping),
          explicitBufferAttributes: BINARY_ATTRIBUTES.filter(
            (a) => a.toLowerCase() === s.mapping.uniqueId.toLowerCase(),
          ),
        },
        limits,
      );
      let members: Set<string> | null = null;
      if (s.groupFilter) {
        const groups = await searchAll(
          session,
          conn,
          s.baseDn,
          { filter: s.groupFilter, attributes: [s.mapping.groupMember] },
          limits,
        );
        // Members of the groups and of the groups in them (AD's ranged member lists read to the end).
        const people = new Set(entries.map((e) => normalizeDn(String(e.dn))));
        members = await expandMembers(
          groups,
          s.mapping.groupMember,
          (dn) => people.has(dn),
          groupLookups(session, conn, s),
          limits.maxEntries,
          () =>
            new DirectoryFailure(
              'too_many_entries',
              `The groups list more than ${limits.maxEntries} members; narrow the group filter.`,
            ),
        );
      }
      const persons: DirectoryPersonDto[] = [];
      const skipped: { dn: string; reason: string }[] = [];
      const ids = new Set<string>();
      const emails = new Set<string>();
      for (const e of entries) {
        const p = personOf(e, s.mapping);
        if (!('externalId' in p)) {
          skipped.push(p);
          continue;
        }
        if (members && !members.has(normalizeDn(p.dn))) continue;
        const norm = normalizeEmail(p.email);
        if (ids.has(p.externalId)) skipped.push({ dn: p.dn, reason: `${s.mapping.uniqueId} appears twice` });
        else if (emails.has(norm)) skipped.push({ dn: p.dn, reason: `${p.email} belongs to another entry too` });
        else {
          ids.add(p.externalId);
          emails.add(norm);
          persons.push(p);
        }
      }
      return { entries: persons.length + skipped.length, persons, skipped };
    } finally {
      await session.close();
    }
  };

  const failedRun = (
    kind: RunRow['kind'],
    trigger: RunRow['trigger'],
    startedAt: string,
    status: 'failed' | 'needs_confirmation',
    counts: DirectoryRunCounts,
    code: string,
    message: string,
    ctx: DirectoryCtx,
  ): RunRow => {
    const row: RunRow = {
      id: random.uuid(),
      kind,
      trigger,
      started_by: ctx.actor.label ?? null,
      status,
      started_at: startedAt,
      finished_at: clock.now().toISOString(),
      counts: JSON.stringify(counts),
      error_code: code,
      error: message.slice(0, 2000),
    };
    transaction(() => {
      store.insertRun(row);
      audit.record({
        actor: ctx.actor,
        action: 'user.import_rejected',
        subject: { type: 'directory', id: row.id, label: `directory ${kind}` },
        details: { source: 'directory', kind, trigger, status, code, message: row.error, counts },
        sourceAddress: ctx.sourceAddress,
      });
    });
    return row;
  };

  const apply = (
    plan: Plan,
    fetched: Fetched,
    kind: RunRow['kind'],
    trigger: RunRow['trigger'],
    startedAt: string,
    ctx: DirectoryCtx,
  ) =>
    transaction(() => {
      const now = clock.now().toISOString();
      const runId = random.uuid();
      const counts = countsOf(plan, fetched.entries);
      const skip = (dn: string, reason: string) => {
        plan.skipped.push({ dn, reason });
        counts.skipped++;
      };
      const emailFree = (email: string, self: string | null) => {
        const other = users.byEmail(normalizeEmail(email));
        return !other || other.id === self;
      };
      const base = { source: 'directory', run: runId };
      for (const { row, person } of plan.update) {
        if (!emailFree(person.email, row.id)) {
          skip(person.dn, `${person.email} belongs to another user`);
          counts.updated--;
          continue;
        }
        const changed: Record<string, { from: unknown; to: unknown }> = {};
        if (row.email !== person.email) changed.email = { from: row.email, to: person.email };
        if (row.display_name !== person.displayName)
          changed.displayName = { from: row.display_name, to: person.displayName };
        if (row.directory_dn !== person.dn) changed.dn = { from: row.directory_dn, to: person.dn };
        if (row.directory_login !== person.login) changed.login = { from: row.directory_login, to: person.login };
        users.update(row.id, {
          email: person.email,
          email_norm: normalizeEmail(person.email),
          display_name: person.displayName,
          directory_dn: person.dn,
          directory_login: person.login,
          updated_at: now,
        });
        audit.record({
          actor: ctx.actor,
          action: 'user.updated',
          subject: { type: 'user', id: row.id, label: person.email },
          details: { ...base, changed },
          sourceAddress: ctx.sourceAddress,
        });
      }
      for (const { row, state } of plan.disable) {
        users.update(row.id, { disabled: 1, directory_state: state, updated_at: now });
        const ended = row.disabled === 0 ? effects.disabled(row, ctx) : { sessionsEnded: 0, invitationsRevoked: 0 };
        audit.record({
          actor: ctx.actor,
          action: 'user.disabled',
          subject: { type: 'user', id: row.id, label: row.email },
          details: {
            ...base,
            reason:
              state === 'left' ? 'no longer in the directory (or its filter or group)' : 'disabled in the directory',
            ...ended,
          },
          sourceAddress: ctx.sourceAddress,
        });
      }
      for (const { row } of plan.enable) {
        users.update(row.id, { disabled: 0, directory_state: null, updated_at: now });
        audit.record({
          actor: ctx.actor,
          action: 'user.enabled',
          subject: { type: 'user', id: row.id, label: row.email },
          details: { ...base, reason: 'back in the directory' },
          sourceAddress: ctx.sourceAddress,
        });
      }
      for (const { row, person } of plan.link) {
        if (!emailFree(person.email, row.id)) {
          skip(person.dn, `${person.email} belongs to another user`);
          counts.linked--;
          continue;
        }
        users.update(row.id, {
          source: 'ldap',
          external_id: person.externalId,
          email: person.email,
          email_norm: normalizeEmail(person.email),
          display_name: person.displayName,
          directory_dn: person.dn,
          directory_login: person.login,
          directory_state: null,
          password_hash: null,
          must_change_password: 0,
          updated_at: now,
        });
        const sessionsEnded = effects.linked(row);
        audit.record({
          actor: ctx.actor,
          action: 'user.updated',
          subject: { type: 'user', id: row.id, label: person.email },
          details: {
            ...base,
            linked: { externalId: person.externalId, dn: person.dn },
            password: 'removed',
            sessionsEnded,
          },
          sourceAddress: ctx.sourceAddress,
        });
      }
      const locale = deps.defaultLocale?.() ?? 'ja';
      for (const person of plan.create) {
        if (!emailFree(person.email, null)) {
          skip(person.dn, `${person.email} belongs to another user`);
          counts.created--;
          continue;
        }
        const id = random.uuid();
        users.insert({
          id,
          email: person.email,
          email_norm: normalizeEmail(person.email),
          display_name: person.displayName,
          locale,
          source: 'ldap',
          external_id: person.externalId,
          directory_dn: person.dn,
          directory_login: person.login,
          directory_state: null,
          password_hash: null,
          must_change_password: 0,
          disabled: 0,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        });
        audit.record({
          actor: ctx.actor,
          action: 'user.created',
          subject: { type: 'user', id, label: person.email },
          details: { ...base, displayName: person.displayName, locale, password: 'directory' },
          sourceAddress: ctx.sourceAddress,
        });
      }
      const row: RunRow = {
        id: runId,
        kind,
        trigger,
        started_by: ctx.actor.label ?? null,
        status: 'succeeded',
        started_at: startedAt,
        finished_at: clock.now().toISOString(),
        counts: JSON.stringify(counts),
        error_code: null,
        error: null,
      };
      store.insertRun(row);
      audit.record({
        actor: ctx.actor,
        action: 'user.imported',
        subject: { type: 'directory', id: runId, label: `directory ${kind}` },
        details: { source: 'directory', kind, trigger, counts, firstSkipped: plan.skipped.slice(0, 5) },
        sourceAddress: ctx.sourceAddress,
      });
      return row;
    });

  /**
   * Whether the entry with this unique id is in the connector's scope now, asked as the connector's account: it must
   * match the user filter, not be disabled, and (with a group filter) be a member of one of the groups. Null: in scope.
   */
  const scopeOf = async (
    session: DirectorySession,
    s: StoredSettings,
    externalId: string,
  ): Promise<DirectoryScopeRefusal | null> => {
    const found = await session.client.search(s.baseDn, {
      scope: 'sub',
      filter: `(&${s.userFilter}(${s.mapping.uniqueId}=${uniqueIdAssertion(externalId, s.mapping.uniqueId)}))`,
      attributes: attributesOf(s.mapping),
      explicitBufferAttributes: BINARY_ATTRIBUTES,
      sizeLimit: 2,
    });
    const person = found.searchEntries
      .map((e) => personOf(e, s.mapping))
      .find((p): p is DirectoryPersonDto => 'externalId' in p && p.externalId === externalId);
    if (!person) return 'left';
    if (person.disabled) return 'disabled';
    if (!s.groupFilter) return null;
    return (await memberOfAllowedGroup(session, s, person.dn)) ? null : 'not_in_group';
  };

  /** Whether `dn` is a member of a group the group filter selects, directly or through groups in groups. */
  const memberOfAllowedGroup = async (session: DirectorySession, s: StoredSettings, dn: string): Promise<boolean> => {
    const attribute = s.mapping.groupMember;
    const exists = async (filter: string) => {
      try {
        const r = await session.client.search(s.baseDn, { scope: 'sub', filter, attributes: ['1.1'], sizeLimit: 1 });
        return r.searchEntries.length > 0;
      } catch (err) {
        if (isSizeLimit(err)) return true;
        throw err;
      }
    };
    // Active Directory walks nested groups itself; OpenLDAP is walked up level by level.
    if (s.preset === 'active-directory')
      return exists(`(&${s.groupFilter}(${attribute}:${IN_CHAIN_RULE}:=${escapeFilterValue(dn)}))`);
    return walkUp(dn, attribute, {
      allowedHasAny: (members) => exists(`(&${s.groupFilter}${members})`),
      parentsOf: async (members, limit) => {
        const conn = { url: s.url, bindDn: s.bindDn };
        try {
          const found = await searchAll(
            session,
            conn,
            s.baseDn,
            { filter: members, attributes: ['1.1'] },
            { pageSize: limits.pageSize, maxEntries: limit, maxBytes: limits.maxBytes },
          );
          return found.map((e) => String(e.dn));
        } catch (err) {
          // A person in more groups than the walk visits: it stops there.
          if (err instanceof DirectoryFailure && err.problem.code === 'too_many_entries') return [];
          throw err;
        }
      },
    });
  };

  /** The directory lookups that expanding nested and ranged group membership needs. */
  const groupLookups = (
    session: DirectorySession,
    conn: Pick<DirectoryConnection, 'url' | 'bindDn'>,
    s: StoredSettings,
  ): GroupLookups => ({
    async fetchRange(dn, rangedAttribute) {
      try {
        const r = await session.client.search(dn, {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: [rangedAttribute],
        });
        return r.searchEntries[0];
      } catch (err) {
        throw describeFailure(err, conn);
      }
    },
    groupsAmong: (dns) =>
      searchAll(
        session,
        conn,
        s.baseDn,
        {
          filter: `(&(${s.mapping.groupMember}=*)${anyOf(s.preset === 'active-directory' ? 'distinguishedName' : 'entryDN', dns)})`,
          attributes: [s.mapping.groupMember],
        },
        limits,
      ),
  });

  const service: DirectoryService = {
    settings() {
      const st = stored();
      const s = st?.s;
      const preset = s?.preset ?? 'openldap';
      return {
        configured: Boolean(st?.password),
        url: s?.url ?? '',
        caPem: s?.caPem ?? '',
        bindDn: s?.bindDn ?? '',
        hasBindPassword: Boolean(st?.password),
        baseDn: s?.baseDn ?? '',
        userFilter: s?.userFilter ?? PRESET_USER_FILTERS[preset],
        groupFilter: s?.groupFilter ?? '',
        preset,
        mapping: s?.mapping ?? { ...PRESETS[preset] },
        syncIntervalMinutes: s?.syncIntervalMinutes ?? 0,
        maxDisablePercent: s?.maxDisablePercent ?? 10,
        updatedAt: st?.updatedAt ?? null,
      };
    },

    updateSettings(update, ctx) {
      const next = validateSettings(update);
      if (typeof update.bindPassword === 'string' && update.bindPassword.length === 0)
        throw invalid(
          'bindPassword',
          'The bind password cannot be empty: an empty password is an unauthenticated bind, which proves nothing.',
        );
      return transaction(() => {
        const before = store.connector();
        let sealed = before?.bind_password_sealed ?? null;
        if (update.bindPassword === null) sealed = null;
        else if (typeof update.bindPassword === 'string') sealed = secrets.seal(update.bindPassword, PASSWORD_LABEL);
        const at = clock.now().toISOString();
        store.putConnector({ settings: JSON.stringify(next), bind_password_sealed: sealed, updated_at: at });
        audit.record({
          actor: ctx.actor,
          action: 'settings.updated',
          subject: { type: 'settings', id: 'directory', label: 'Directory (LDAP)' },
          details: {
            url: next.url,
            bindDn: next.bindDn,
            baseDn: next.baseDn,
            userFilter: next.userFilter,
            groupFilter: next.groupFilter,
            preset: next.preset,
            syncIntervalMinutes: next.syncIntervalMinutes,
            maxDisablePercent: next.maxDisablePercent,
            caPem: next.caPem ? 'set' : 'none',
            passwordChanged: update.bindPassword !== undefined,
          },
          sourceAddress: ctx.sourceAddress,
        });
        return service.settings();
      });
    },

    async test(candidate) {
      // Each test may bind with a password the caller chose: a bounded number, so a console session cannot become a
      // password-guessing machine against directory accounts.
      const now = clock.now().getTime();
      while (testTimes.length > 0 && (testTimes[0] ?? 0) <= now - TEST_WINDOW_MS) testTimes.shift();
      if (testTimes.length >= TESTS_PER_WINDOW)
        throw new AppError(
          'RATE_LIMITED',
          `At most ${TESTS_PER_WINDOW} connection tests every ${TEST_WINDOW_MS / 60_000} minutes; wait a few minutes and test again.`,
          { retryAfterSeconds: Math.ceil(((testTimes[0] ?? now) + TEST_WINDOW_MS - now) / 1000) },
        );
      testTimes.push(now);
      let s: StoredSettings;
      let password: string | null;
      if (candidate) {
        s = validateSettings(candidate);
        password = typeof candidate.bindPassword === 'string' ? candidate.bindPassword : (stored()?.password ?? null);
      } else {
        const st = stored();
        if (!st) {
          required();
          throw new Error('unreachable');
        }
        s = st.s;
        password = st.password;
      }
      const steps: DirectoryTestResult['steps'] = [];
      const fail = (step: DirectoryTestResult['steps'][number]['step'], f: DirectoryFailure): DirectoryTestResult => {
        steps.push({ step, ok: false, message: f.problem.message });
        return { ok: false, steps, problem: f.problem };
      };
      if (!password)
        return fail(
          'bind',
          new DirectoryFailure(
            'bind_refused',
            'No bind password is set (an empty one would be an unauthenticated bind).',
          ),
        );
      const conn = connectionOf(s, password);
      try {
        await probeTls(conn, timeouts.connectMs);
      } catch (err) {
        const f = err instanceof DirectoryFailure ? err : new DirectoryFailure('protocol', String(err));
        return fail(f.problem.code === 'unreachable' ? 'connect' : 'tls', f);
      }
      steps.push({ step: 'connect', ok: true, message: `Reached ${conn.url}.` });
      steps.push({ step: 'tls', ok: true, message: 'The certificate is trusted and names the host.' });
      let session: DirectorySession;
      try {
        session = await openSession(conn, timeouts);
      } catch (err) {
        return fail('bind', err as DirectoryFailure);
      }
      try {
        steps.push({ step: 'bind', ok: true, message: `Bound as ${s.bindDn}.` });
        try {
          await session.client.search(s.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] });
        } catch (err) {
          const f = describeOr(err, conn);
          return fail('base_dn', f.problem.code === 'base_dn_missing' ? baseMissing(s.baseDn, err) : f);
        }
        steps.push({ step: 'base_dn', ok: true, message: `${s.baseDn} exists.` });
        const one = await session.client
          .search(s.baseDn, { scope: 'sub', filter: s.userFilter, attributes: ['1.1'], sizeLimit: 1 })
          .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        const found = one instanceof Error ? (isSizeLimit(one) ? 1 : -1) : one.searchEntries.length;
        if (found < 0) return fail('users', describeOr(one, conn));
        if (found === 0)
          return fail(
            'users',
            new DirectoryFailure('no_matches', `The user filter ${s.userFilter} matches nobody under ${s.baseDn}.`),
          );
        steps.push({ step: 'users', ok: true, message: 'The user filter finds people.' });
        if (s.groupFilter) {
          const g = await session.client
            .search(s.baseDn, { scope: 'sub', filter: s.groupFilter, attributes: ['1.1'], sizeLimit: 1 })
            .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
          const n = g instanceof Error ? (isSizeLimit(g) ? 1 : -1) : g.searchEntries.length;
          if (n < 0) return fail('groups', describeOr(g, conn));
          if (n === 0)
            return fail(
              'groups',
              new DirectoryFailure(
                'no_groups',
                `The group filter ${s.groupFilter} matches no group under ${s.baseDn}.`,
              ),
            );
          steps.push({ step: 'groups', ok: true, message: 'The group filter finds groups.' });
        }
        return { ok: true, steps, problem: null };
      } finally {
        await session.close();
      }
    },

    async preview(request = {}) {
      const { s, conn } = required();
      if (running)
        throw new AppError('DIRECTORY_BUSY', 'An import, sync or preview is running; wait for it to finish.');
      running = true;
      let fetched: Fetched;
      try {
        fetched = await fetchOrThrow(s, conn);
      } finally {
        running = false;
      }
      const plan = planRun(fetched, users.liveFromDirectory(), users.liveLocalByEmail(), new Set(request.link ?? []));
      return {
        count: fetched.persons.length,
        first: fetched.persons.slice(0, 20),
        linkable: plan.linkable.slice(0, 500),
        plan: countsOf(plan, fetched.entries),
        skippedEntries: plan.skipped.slice(0, 50),
      };
    },

    async sync(request, ctx) {
      if (running) throw new AppError('DIRECTORY_BUSY', 'An import or sync is running already; wait for it to finish.');
      running = true;
      const trigger = ctx.trigger ?? 'admin';
      const startedAt = clock.now().toISOString();
      const existing = users.liveFromDirectory();
      const kind: RunRow['kind'] = existing.length === 0 ? 'import' : 'sync';
      try {
        const { s, conn } = required();
        let fetched: Fetched;
        try {
          fetched = await fetchPeople(s, conn);
        } catch (err) {
          const f = err instanceof DirectoryFailure ? err : new DirectoryFailure('protocol', String(err));
          failedRun(kind, trigger, startedAt, 'failed', noCounts(), f.problem.code, f.problem.message, ctx);
          throw unavailable(f);
        }
        const plan = planRun(fetched, users.liveFromDirectory(), users.liveLocalByEmail(), new Set(request.link ?? []));
        const toDisable = plan.disable.filter((d) => d.row.disabled === 0).length;
        const percent = plan.enabledNow === 0 ? 0 : (toDisable * 100) / plan.enabledNow;
        if (toDisable > GUARD_FLOOR && percent > s.maxDisablePercent && request.confirmDisable !== toDisable) {
          const message =
            `This run would disable ${toDisable} of ${plan.enabledNow} directory users (${Math.round(percent)}%), more than ` +
            `the ${s.maxDisablePercent}% allowed without asking. Check the filters and groups; if it is right, run it again confirming ${toDisable}.`;
          const row = failedRun(
            kind,
            trigger,
            startedAt,
            'needs_confirmation',
            countsOf(plan, fetched.entries),
            'DIRECTORY_CONFIRM_REQUIRED',
            message,
            ctx,
          );
          throw new AppError('DIRECTORY_CONFIRM_REQUIRED', message, {
            runId: row.id,
            toDisable,
            of: plan.enabledNow,
            confirmDisable: toDisable,
          });
        }
        try {
          return toRunDto(apply(plan, fetched, kind, trigger, startedAt, ctx));
        } catch (err) {
          // The transaction rolled back: nothing changed. Say why on the connector page.
          const message = `The ${kind} failed and changed nothing: ${(err as Error).message}`;
          failedRun(kind, trigger, startedAt, 'failed', countsOf(plan, fetched.entries), 'INTERNAL', message, ctx);
          throw err;
        }
      } finally {
        running = false;
      }
    },

    async syncIfDue() {
      const st = stored();
      if (!st?.password || st.s.syncIntervalMinutes === 0 || running) return null;
      const last = store.lastRun();
      const due = !last || clock.now().getTime() - Date.parse(last.started_at) >= st.s.syncIntervalMinutes * 60_000;
      if (!due) return null;
      try {
        return await service.sync({}, { actor: SCHEDULER, sourceAddress: null, trigger: 'schedule' });
      } catch {
        // Recorded as a failed or unconfirmed run; the connector page shows it.
        return null;
      }
    },

    async authenticate(user, typed, password) {
      // RFC 4513 §5.1.2: a simple bind with a DN and an empty password is an unauthenticated bind, which "succeeds".
      if (password.length === 0 || !user.external_id) return 'wrong';
      const st = stored();
      if (!st?.password) return 'unavailable';
      const { s } = st;
      const conn = connectionOf(s, st.password);
      let session: DirectorySession;
      try {
        session = await openSession(conn, timeouts);
      } catch {
        return 'unavailable';
      }
      try {
        // The entry is found by what was typed (escaped), without the user filter: whether the person is still in
        // scope is asked only once their password proved who they are.
        const v = escapeFilterValue(typed.trim());
        let found;
        try {
          found = await session.client.search(s.baseDn, {
            scope: 'sub',
            filter: `(|(${s.mapping.login}=${v})(${s.mapping.email}=${v}))`,
            attributes: attributesOf(s.mapping),
            explicitBufferAttributes: BINARY_ATTRIBUTES,
            sizeLimit: 5,
          });
        } catch {
          return 'unavailable';
        }
        const entry = found.searchEntries
          .map((e) => personOf(e, s.mapping))
          .find((p): p is DirectoryPersonDto => 'externalId' in p && p.externalId === user.external_id);
        if (!entry) return 'wrong';
        try {
          await session.client.bind(entry.dn, password);
        } catch (err) {
          return err instanceof InvalidCredentialsError ? 'wrong' : 'unavailable';
        }
        // Back to the connector's account (the person may not read the groups) to check the scope as a sync would.
        try {
          await session.client.bind(s.bindDn, st.password);
          return (await scopeOf(session, s, entry.externalId)) ?? 'ok';
        } catch {
          return 'unavailable';
        }
      } finally {
        await session.close();
      }
    },

    runs: (limit = 20) => store.runs(Math.min(Math.max(limit, 1), 100)).map(toRunDto),
  };

  const fetchOrThrow = async (s: StoredSettings, conn: DirectoryConnection) => {
    try {
      return await fetchPeople(s, conn);
    } catch (err) {
      throw unavailable(err instanceof DirectoryFailure ? err : new DirectoryFailure('protocol', String(err)));
    }
  };
  return service;
}

function unavailable(f: DirectoryFailure): AppError {
  return new AppError('DIRECTORY_UNAVAILABLE', f.problem.message, { problem: f.problem }, { cause: f });
}

function baseMissing(baseDn: string, err: unknown): DirectoryFailure {
  return new DirectoryFailure(
    'base_dn_missing',
    `The base DN ${baseDn} does not exist in the directory (or the bind account may not read it).`,
    undefined,
    err,
  );
}

function isSizeLimit(err: unknown): boolean {
  return (err as { code?: unknown }).code === 4;
}

function describeOr(err: unknown, conn: DirectoryConnection): DirectoryFailure {
  return err instanceof DirectoryFailure ? err : describeFailure(err, conn);
}
