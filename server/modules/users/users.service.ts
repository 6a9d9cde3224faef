import type { RowError } from '../../contract/errors.js';
import type {
  Locale,
  TemporaryPasswordResult,
  UserBatchResult,
  UserBulkAction,
  UserBulkResult,
  UserCreateRequest,
  UserDto,
  UserPage,
  UserSource,
  UserUpdateRequest,
} from '../../contract/users.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { normalizeEmail } from '../../core/ids.js';
import { passwordProblem, type PasswordHasher } from '../../core/password.js';
import type { Random } from '../../core/random.js';
import { displayNameProblem, emailProblem } from '../../core/validate.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import { parseUserCsv } from './users-csv.js';
import { MAX_BATCH, MAX_BULK } from './users.limits.js';
import type { UserRow, UsersStore } from './users.store.js';

/** Manages the people who enroll devices: add, add many, import, edit, disable, delete. */
export interface UsersService {
  list(query: { q?: string; cursor?: string; limit?: number; source?: UserSource }): UserPage;
  get(id: string): UserDto;
  create(input: UserCreateRequest, ctx: Ctx): Promise<UserDto>;
  /** Adds every user or none; errors name the 1-based row. */
  createMany(inputs: UserCreateRequest[], ctx: Ctx, rows?: number[]): Promise<UserBatchResult>;
  /** Imports a CSV file: all rows or none; errors name the CSV line and the reason. */
  importCsv(text: string, ctx: Ctx & { fileName?: string }): Promise<UserBatchResult>;
  /** Edits a user; a new or removed password, or disabling, ends the user's portal sessions. */
  update(id: string, changes: UserUpdateRequest, ctx: Ctx): Promise<UserDto>;
  /** Deletes a user: open invitations are withdrawn and portal sessions end; devices stay enrolled. */
  remove(id: string, ctx: Ctx): { invitationsRevoked: number; sessionsEnded: number };
  /** Disables, enables or deletes several users: all of them or, when one cannot be, none. */
  bulk(action: UserBulkAction, ids: string[], ctx: Ctx): UserBulkResult;
  /** Replaces the password with one the server picks, shown once and changed at the next portal sign-in. */
  temporaryPassword(id: string, ctx: Ctx): Promise<TemporaryPasswordResult>;
  /**
   * The first half of a password reset: the password stops working and the portal sessions end (the caller then
   * emails a link and one-time PIN, with which the user chooses a new password).
   */
  clearPassword(id: string, ctx: Ctx): { user: UserDto; sessionsEnded: number };
}

/** What happens elsewhere when a user's credentials change or the user goes: ports, so users import no other module. */
export interface UserEffects {
  /**
   * An admin changed or removed the password, or disabled the user: end the portal sessions and unused sign-in QR
   * codes opened with the old state, and lift the email's sign-in lock. Runs inside the change's transaction.
   */
  signOut(user: Pick<UserRow, 'id' | 'email'>): number;
  /** The user is deleted: withdraw open invitations (links, PINs, queued mail, pending enrollments). In the transaction. */
  withdrawInvitations(user: Pick<UserRow, 'id' | 'email'>, ctx: Ctx): number;
}

/** Who is acting and from where, for the audit trail. */
export interface Ctx {
  actor: Actor;
  sourceAddress: string | null;
}

/** Dependencies of the users service. */
export interface UsersDeps {
  store: UsersStore;
  audit: AuditService;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  transaction: <T>(fn: () => T) => T;
  defaultLocale?: Locale;
  /** Sessions and invitations to end with a user's credentials; none in unit tests that do not need them. */
  effects?: UserEffects;
}

// Lowercase letters and digits without the look-alikes (0/o, 1/l/i): easy to read aloud or type from a screen.
const TEMP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A temporary password: four groups of four characters (about 79 bits), e.g. `k7pq-2mzx-r9ta-c4hw`. */
export function temporaryPasswordOf(random: Random): string {
  const group = () => Array.from({ length: 4 }, () => TEMP_ALPHABET[random.int(0, TEMP_ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}

/** The console's view of a stored user. */
export function toUserDto(row: UserRow): UserDto {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    locale: row.locale,
    source: row.source,
    hasPassword: row.password_hash !== null,
    mustChangePassword: row.must_change_password === 1,
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function encodeCursor(emailNorm: string): string {
  return Buffer.from(`u:${emailNorm}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!s.startsWith('u:'))
    throw new AppError('CURSOR_INVALID', 'The page cursor is not valid; start again from the first page.');
  return s.slice(2);
}

/** Field-level problems of one new user, without touching the database. */
export function userInputProblems(input: UserCreateRequest): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const email = input.email.trim();
  const e = emailProblem(email);
  if (e) problems.push({ field: 'email', message: e });
  const n = displayNameProblem(input.displayName);
  if (n) problems.push({ field: 'displayName', message: n });
  if (input.locale !== undefined && input.locale !== 'ja' && input.locale !== 'en') {
    problems.push({ field: 'locale', message: 'The language must be ja or en.' });
  }
  if (input.password !== undefined) {
    const p = passwordProblem(input.password, email);
    if (p) problems.push({ field: 'password', message: p });
  } else if (input.temporaryPassword) {
    problems.push({ field: 'temporaryPassword', message: 'A temporary password needs a password.' });
  }
  return problems;
}

/** Builds the users service. */
export function createUsersService(deps: UsersDeps): UsersService {
  const { store, audit, clock, random, hasher, transaction } = deps;

  const live = (id: string): UserRow => {
    const row = store.byId(id);
    if (!row)
      throw new AppError('USER_NOT_FOUND', 'No user has this id; the list may be out of date, reload it.', { id });
    if (row.deleted_at) throw new AppError('USER_DELETED', 'This user was deleted.', { id });
    return row;
  };

  // Directory users sign in with their network password and get their email and name from the directory.
  const directoryManaged = (row: UserRow, what: string) => {
    if (row.source === 'ldap')
      throw new AppError(
        'DIRECTORY_MANAGED',
        `${row.email} comes from the directory: ${what}. They sign in with their network password; change it in the directory.`,
        { field: what.startsWith('the email') ? 'email' : 'password', source: row.source },
      );
  };

  const taken = (emailNorm: string, row?: number) =>
    new AppError('EMAIL_TAKEN', `A user with the email address ${emailNorm} already exists.`, {
      field: 'email',
      ...(row ? { row } : {}),
    });

  // Inside a transaction: the row goes (kept, marked deleted), and with it its sign-ins and open invitations.
  const removeRow = (row: UserRow, ctx: Ctx) => {
    const now = clock.now().toISOString();
    store.update(row.id, { deleted_at: now, updated_at: now, password_hash: null, disabled: 1 });
    return {
      invitationsRevoked: deps.effects?.withdrawInvitations(row, ctx) ?? 0,
      sessionsEnded: deps.effects?.signOut(row) ?? 0,
    };
  };

  const service: UsersService = {
    list(query) {
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      const q = query.q?.trim() || null;
      const after = query.cursor ? decodeCursor(query.cursor) : null;
      const rows = store.list(q, after, limit + 1, query.source ?? null);
      const items = rows.slice(0, limit).map(toUserDto);
      const last = rows[Math.min(rows.length, limit) - 1];
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor(last.email_norm) : null,
        total: store.count(q, query.source ?? null),
      };
    },

    get: (id) => toUserDto(live(id)),

    async create(input, ctx) {
      const problems = userInputProblems(input);
      const first = problems[0];
      if (first) {
        const code = first.field === 'password' ? 'PASSWORD_POLICY' : 'VALIDATION_FAILED';
        throw new AppError(code, first.message, { field: first.field, problems });
      }
      const result = await service.createMany([input], ctx).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'BATCH_INVALID') {
          const rowErr = (err.details?.errors as RowError[] | undefined)?.[0];
          if (rowErr?.code === 'EMAIL_TAKEN') throw taken(normalizeEmail(input.email));
        }
        throw err;
      });
      return result.created[0] as UserDto;
    },

    async createMany(inputs, ctx, rows) {
      if (inputs.length === 0) throw new AppError('BATCH_INVALID', 'There are no users to add.', { errors: [] });
      if (inputs.length > MAX_BATCH) {
        throw new AppError('BATCH_INVALID', `At most ${MAX_BATCH} users can be added at once; split the list.`, {
          errors: [],
        });
      }
      const rowOf = (i: number) => rows?.[i] ?? i + 1;
      const errors: RowError[] = [];
      const seen = new Map<string, number>();
      inputs.forEach((input, i) => {
        for (const p of userInputProblems(input)) {
          errors.push({
            row: rowOf(i),
            field: p.field,
            code: p.field === 'password' ? 'PASSWORD_POLICY' : 'VALIDATION_FAILED',
            message: p.message,
          });
        }
        const norm = normalizeEmail(input.email);
        const dup = seen.get(norm);
        if (dup !== undefined) {
          errors.push({
            row: rowOf(i),
            field: 'email',
            code: 'EMAIL_TAKEN',
            message: `${input.email.trim()} also appears in row ${dup}.`,
          });
        } else {
          seen.set(norm, rowOf(i));
          if (store.byEmail(norm))
            errors.push({
              row: rowOf(i),
              field: 'email',
              code: 'EMAIL_TAKEN',
              message: `A user with the email address ${input.email.trim()} already exists.`,
            });
        }
      });
      if (errors.length > 0) {
        const firstErr = errors[0] as RowError;
        throw new AppError(
          'BATCH_INVALID',
          `Nothing was added: ${errors.length === 1 ? 'row' : `${errors.length} problems; first in row`} ${firstErr.row}: ${firstErr.message}`,
          { errors },
        );
      }
      const hashes = await Promise.all(inputs.map((u) => (u.password === undefined ? null : hasher.hash(u.password))));
      const now = clock.now().toISOString();
      const created = transaction(() =>
        inputs.map((input, i) => {
          const email = input.email.trim();
          const norm = normalizeEmail(email);
          if (store.byEmail(norm)) throw taken(norm, rowOf(i));
          const row: UserRow = {
            id: random.uuid(),
            email,
            email_norm: norm,
            display_name: input.displayName.trim(),
            locale: input.locale ?? deps.defaultLocale ?? 'ja',
            source: 'local',
            external_id: null,
            directory_dn: null,
            directory_login: null,
            directory_state: null,
            password_hash: hashes[i] ?? null,
            must_change_password: input.password !== undefined && input.temporaryPassword ? 1 : 0,
            disabled: 0,
            created_at: now,
            updated_at: now,
            deleted_at: null,
          };
          store.insert(row);
          audit.record({
            actor: ctx.actor,
            action: 'user.created',
            subject: { type: 'user', id: row.id, label: row.email },
            details: {
              displayName: row.display_name,
              locale: row.locale,
              password: row.password_hash ? (row.must_change_password ? 'temporary' : 'set') : 'none',
              ...(inputs.length > 1 ? { batch: inputs.length } : {}),
            },
            sourceAddress: ctx.sourceAddress,
          });
          return toUserDto(row);
        }),
      );
      return { created };
    },

    async importCsv(text, ctx) {
      const fileName = ctx.fileName ?? 'upload.csv';
      const parsed = parseUserCsv(text);
      const reject = (errors: RowError[]) => {
        audit.record({
          actor: ctx.actor,
          action: 'user.import_rejected',
          subject: { type: 'import', id: fileName, label: fileName },
          details: { rows: parsed.users.length, problems: errors.length, first: errors[0] ?? null },
          sourceAddress: ctx.sourceAddress,
        });
        const firstErr = errors[0] as RowError;
        return new AppError(
          'CSV_INVALID',
          `Nothing was imported. Line ${firstErr.row}: ${firstErr.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`,
          { errors },
        );
      };
      if (parsed.errors.length > 0) throw reject(parsed.errors);
      let result: UserBatchResult;
      try {
        result = await service.createMany(parsed.users, ctx, parsed.lines);
      } catch (err) {
        if (err instanceof AppError && err.code === 'BATCH_INVALID') {
          const errors = err.details?.errors as RowError[];
          if (errors.length > 0) throw reject(errors);
          throw reject([{ row: 1, code: 'CSV_INVALID', message: err.message }]);
        }
        throw err;
      }
      audit.record({
        actor: ctx.actor,
        action: 'user.imported',
        subject: { type: 'import', id: fileName, label: fileName },
        details: { created: result.created.length },
        sourceAddress: ctx.sourceAddress,
      });
      return result;
    },

    async update(id, changes, ctx) {
      const current = live(id);
      if (changes.password !== undefined || changes.temporaryPassword)
        directoryManaged(current, 'it has no local password to set or remove');
      if (
        (changes.email !== undefined && changes.email.trim() !== current.email) ||
        (changes.displayName !== undefined && changes.displayName.trim() !== current.display_name)
      )
        directoryManaged(current, 'the email and name are read-only here and follow the directory at each sync');
      const email = changes.email?.trim() ?? current.email;
      const problems: { field: string; message: string }[] = [];
      if (changes.email !== undefined) {
        const p = emailProblem(email);
        if (p) problems.push({ field: 'email', message: p });
      }
      if (changes.displayName !== undefined) {
        const p = displayNameProblem(changes.displayName);
        if (p) problems.push({ field: 'displayName', message: p });
      }
      if (typeof changes.password === 'string') {
        const p = passwordProblem(changes.password, email);
        if (p) throw new AppError('PASSWORD_POLICY', p, { field: 'password' });
      }
      if (changes.temporaryPassword && typeof changes.password !== 'string') {
        problems.push({ field: 'temporaryPassword', message: 'A temporary password needs a new password.' });
      }
      const firstProblem = problems[0];
      if (firstProblem)
        throw new AppError('VALIDATION_FAILED', firstProblem.message, { field: firstProblem.field, problems });
      const passwordHash = typeof changes.password === 'string' ? await hasher.hash(changes.password) : undefined;
      return transaction(() => {
        const row = live(id);
        const norm = normalizeEmail(email);
        if (norm !== row.email_norm) {
          const other = store.byEmail(norm);
          if (other && other.id !== id) throw taken(norm);
        }
        const next: UserRow = { ...row };
        const changed: Record<string, { from: unknown; to: unknown }> = {};
        const set = <K extends keyof UserRow>(
          key: K,
          value: UserRow[K],
          label: string,
          shown: (v: UserRow[K]) => unknown = (v) => v,
        ) => {
          if (row[key] !== value) {
            next[key] = value;
            changed[label] = { from: shown(row[key]), to: shown(value) };
          }
        };
        if (changes.email !== undefined) {
          set('email', email, 'email');
          next.email_norm = norm;
        }
        if (changes.displayName !== undefined) set('display_name', changes.displayName.trim(), 'displayName');
        if (changes.locale !== undefined) set('locale', changes.locale, 'locale');
        if (changes.disabled !== undefined) set('disabled', changes.disabled ? 1 : 0, 'disabled', (v) => v === 1);
        if (changes.password === null) {
          set('password_hash', null, 'password', (v) => (v ? 'set' : 'none'));
          next.must_change_password = 0;
        } else if (passwordHash !== undefined) {
          next.password_hash = passwordHash;
          next.must_change_password = changes.temporaryPassword ? 1 : 0;
          changed.password = {
            from: row.password_hash ? 'set' : 'none',
            to: changes.temporaryPassword ? 'temporary' : 'set',
          };
        }
        if (Object.keys(changed).length === 0) return toUserDto(row);
        next.updated_at = clock.now().toISOString();
        store.update(id, next);
        // A password an admin replaced or removed, or a disabled account: sessions opened before end with it.
        const sessionsEnded =
          'password' in changed || (next.disabled === 1 && 'disabled' in changed)
            ? (deps.effects?.signOut(next) ?? 0)
            : 0;
        const action =
          'disabled' in changed && Object.keys(changed).length === 1
            ? next.disabled
              ? 'user.disabled'
              : 'user.enabled'
            : 'user.updated';
        audit.record({
          actor: ctx.actor,
          action,
          subject: { type: 'user', id, label: next.email },
          details: { changed, ...(sessionsEnded > 0 ? { sessionsEnded } : {}) },
          sourceAddress: ctx.sourceAddress,
        });
        return toUserDto(next);
      });
    },

    remove(id, ctx) {
      return transaction(() => {
        const row = live(id);
        const gone = removeRow(row, ctx);
        audit.record({
          actor: ctx.actor,
          action: 'user.deleted',
          subject: { type: 'user', id, label: row.email },
          details: { displayName: row.display_name, ...gone },
          sourceAddress: ctx.sourceAddress,
        });
        return gone;
      });
    },

    bulk(action, ids, ctx) {
      const unique = [...new Set(ids)];
      if (unique.length === 0 || unique.length > MAX_BULK)
        throw new AppError('VALIDATION_FAILED', `Select between 1 and ${MAX_BULK} users; split a larger selection.`, {
          field: 'ids',
        });
      return transaction(() => {
        // Every user first: one that is gone changes nothing for the others.
        const rows = unique.map((id) => live(id));
        const result: UserBulkResult = { action, changed: 0, unchanged: 0, invitationsRevoked: 0, sessionsEnded: 0 };
        const now = clock.now().toISOString();
        for (const row of rows) {
          const subject = { type: 'user', id: row.id, label: row.email };
          const batch = rows.length > 1 ? { batch: rows.length } : {};
          if (action === 'delete') {
            const gone = removeRow(row, ctx);
            result.invitationsRevoked += gone.invitationsRevoked;
            result.sessionsEnded += gone.sessionsEnded;
            result.changed++;
            audit.record({
              actor: ctx.actor,
              action: 'user.deleted',
              subject,
              details: { displayName: row.display_name, ...gone, ...batch },
              sourceAddress: ctx.sourceAddress,
            });
            continue;
          }
          const disabled = action === 'disable' ? 1 : 0;
          if (row.disabled === disabled) {
            result.unchanged++;
            continue;
          }
          store.update(row.id, { disabled, updated_at: now });
          const sessionsEnded = disabled ? (deps.effects?.signOut(row) ?? 0) : 0;
          result.sessionsEnded += sessionsEnded;
          result.changed++;
          audit.record({
            actor: ctx.actor,
            action: disabled ? 'user.disabled' : 'user.enabled',
            subject,
            details: {
              changed: { disabled: { from: row.disabled === 1, to: disabled === 1 } },
              ...(sessionsEnded > 0 ? { sessionsEnded } : {}),
              ...batch,
            },
            sourceAddress: ctx.sourceAddress,
          });
        }
        return result;
      });
    },

    async temporaryPassword(id, ctx) {
      const before = live(id);
      directoryManaged(before, 'it has no local password, so none can be set');
      let password = temporaryPasswordOf(random);
      // Never the email's name part (the policy); a fresh draw is as random as the first.
      for (let i = 0; i < 3 && passwordProblem(password, before.email); i++) password = temporaryPasswordOf(random);
      const hash = await hasher.hash(password);
      return transaction(() => {
        const row = live(id);
        const now = clock.now().toISOString();
        store.update(id, { password_hash: hash, must_change_password: 1, updated_at: now });
        const sessionsEnded = deps.effects?.signOut(row) ?? 0;
        audit.record({
          actor: ctx.actor,
          action: 'user.temporary_password_set',
          subject: { type: 'user', id, label: row.email },
          details: { from: row.password_hash ? 'set' : 'none', sessionsEnded },
          sourceAddress: ctx.sourceAddress,
        });
        return { user: toUserDto(live(id)), password, sessionsEnded };
      });
    },

    clearPassword(id, ctx) {
      return transaction(() => {
        const row = live(id);
        directoryManaged(row, 'it has no local password to reset');
        if (row.disabled)
          throw new AppError(
            'VALIDATION_FAILED',
            `${row.email} is disabled; enable the user before resetting the password.`,
            {
              field: 'disabled',
            },
          );
        const now = clock.now().toISOString();
        store.update(id, { password_hash: null, must_change_password: 0, updated_at: now });
        const sessionsEnded = deps.effects?.signOut(row) ?? 0;
        audit.record({
          actor: ctx.actor,
          action: 'user.password_reset',
          subject: { type: 'user', id, label: row.email },
          details: { from: row.password_hash ? 'set' : 'none', sessionsEnded },
          sourceAddress: ctx.sourceAddress,
        });
        return { user: toUserDto(live(id)), sessionsEnded };
      });
    },
  };
  return service;
}
