import type { Actor } from '../../contract/audit.js';
import type {
  ConfigurationDetailDto,
  ConfigurationDto,
  ConfigurationInput,
  ConfigurationPlatform,
  RestrictionOptionDto,
} from '../../contract/configurations.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SecretBox } from '../secrets/secret-box.js';
import {
  checkTargets,
  contentFromSettings,
  readStoredContent,
  settingsDto,
  splitSecrets,
  storedContent,
  type ConfigurationContent,
  type ConfigurationSecrets,
} from './configuration-settings.js';
import { CONFIGURATION_KINDS, type ConfigurationKind } from './configuration-profile.js';
import type { ConfigurationRow, ConfigurationsStore } from './configurations.store.js';
import { invalid, text, optionalText } from './payload-values.js';
import type { ConfigurationCatalog, ConfigurationVersion, DeliveryPort } from './ports.js';
import { RESTRICTIONS } from './restrictions.js';
import type { OurIdentity } from './uploaded-profile.js';

/** Who asked, for the audit trail. */
export interface RequestContext {
  actor: Actor;
  sourceAddress: string | null;
}

/** The configuration library: what admins create, edit, assign and delete; delivery reads it as a catalog. */
export interface ConfigurationsService extends ConfigurationCatalog {
  list(): ConfigurationDto[];
  get(id: string): ConfigurationDetailDto;
  create(input: ConfigurationInput, ctx: RequestContext): ConfigurationDto;
  /** Saves an edit: a change of settings makes a new version; names and assignment alone do not. */
  update(id: string, input: ConfigurationInput, ctx: RequestContext): ConfigurationDto;
  /** Deletes a configuration: delivery removes it from every device that has it. */
  remove(id: string, ctx: RequestContext): void;
  /** The restrictions the console offers, with their support per platform. */
  restrictions(): RestrictionOptionDto[];
}

/** Dependencies of the configuration library. */
export interface ConfigurationsDeps {
  store: ConfigurationsStore;
  users: {
    byId(id: string): { id: string; email: string; display_name: string; deleted_at: string | null } | undefined;
  };
  /** Delivery: told after every change, asked for the state counts. Late-bound (delivery reads this catalog). */
  delivery: () => DeliveryPort;
  secrets: SecretBox;
  /** What an uploaded profile must not ask for: this server's SCEP URLs and office CA. */
  ourIdentity: () => OurIdentity;
  audit: AuditService;
  clock: Clock;
  random: Random;
  transaction: <T>(fn: () => T) => T;
}

/** Most users one configuration may be assigned to by name; more is what "everyone" is for. */
export const MAX_ASSIGNED_USERS = 1000;

const NO_COUNTS = Object.freeze({ pending: 0, installed: 0, failed: 0, removing: 0 });
const secretsLabel = (id: string, version: number) => `configuration:${id}:${version}`;

/** Builds the configuration library over its store. */
export function createConfigurationsService(deps: ConfigurationsDeps): ConfigurationsService {
  const { store, users, secrets, audit, clock, random, transaction } = deps;

  const notFound = (id: string) => new AppError('CONFIGURATION_NOT_FOUND', 'No configuration has this id.', { id });

  function live(id: string): ConfigurationRow {
    const row = store.byId(id);
    if (!row || row.deleted_at) throw notFound(id);
    return row;
  }

  function content(row: Pick<ConfigurationRow, 'id'>, version: number): ConfigurationContent {
    const v = store.version(row.id, version);
    if (!v) throw new Error(`Configuration ${row.id} has no version ${version}.`);
    const opened = v.secrets_sealed
      ? (JSON.parse(
          secrets.open(v.secrets_sealed, secretsLabel(row.id, version)).toString('utf8'),
        ) as ConfigurationSecrets)
      : null;
    return readStoredContent(v.spec, opened);
  }

  function toDto(row: ConfigurationRow, counts = deps.delivery().counts()): ConfigurationDto {
    const userIds = row.scope === 'users' ? store.userIds(row.id) : [];
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      kind: row.kind as ConfigurationKind,
      platforms: JSON.parse(row.platforms) as ConfigurationPlatform[],
      macChannel: row.mac_channel,
      assignment: {
        scope: row.scope,
        userIds,
        users: userIds.flatMap((id) => {
          const u = users.byId(id);
          return u ? [{ id: u.id, email: u.email, displayName: u.display_name }] : [];
        }),
      },
      version: row.version,
      settings: settingsDto(content(row, row.version)),
      counts: { ...NO_COUNTS, ...counts.get(row.id) },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  function toVersion(row: ConfigurationRow, version: number): ConfigurationVersion {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      kind: row.kind as ConfigurationKind,
      platforms: JSON.parse(row.platforms) as ConfigurationPlatform[],
      macChannel: row.mac_channel,
      version,
      spec: content(row, version).spec,
    };
  }

  /** Name, description and assignment, checked. */
  function checkHeader(input: ConfigurationInput) {
    if (typeof input !== 'object' || input === null) throw invalid('name', 'required', 'Send the configuration.');
    const name = text('name', input.name, 1, 100);
    const description = optionalText('description', input.description, 500) ?? null;
    const a = input.assignment;
    if (!a || (a.scope !== 'everyone' && a.scope !== 'users'))
      throw invalid('assignment.scope', 'not-allowed', 'Assign the configuration to everyone or to chosen users.');
    let userIds: string[] = [];
    if (a.scope === 'users') {
      userIds = [...new Set(Array.isArray(a.userIds) ? a.userIds : [])];
      if (userIds.length === 0)
        throw invalid('assignment.userIds', 'required', 'Choose at least one user, or assign it to everyone.');
      if (userIds.length > MAX_ASSIGNED_USERS)
        throw invalid(
          'assignment.userIds',
          'length',
          `Choose at most ${MAX_ASSIGNED_USERS} users; for more, assign it to everyone.`,
        );
      const unknown = userIds.filter((id) => {
        const u = typeof id === 'string' ? users.byId(id) : undefined;
        return !u || u.deleted_at;
      });
      if (unknown.length)
        throw invalid(
          'assignment.userIds',
          'not-allowed',
          `${unknown.length} of the chosen users no longer exist; choose again.`,
        );
    }
    return { name, description, scope: a.scope, userIds };
  }

  /** Stores one version's content, its secrets sealed under a label naming the configuration and version. */
  function writeVersion(id: string, version: number, c: ConfigurationContent, by: string, at: string): void {
    const { secrets: s } = splitSecrets(c.spec);
    store.insertVersion({
      configuration_id: id,
      version,
      spec: storedContent(c),
      secrets_sealed: s ? secrets.seal(JSON.stringify(s), secretsLabel(id, version)) : null,
      created_by: by,
      created_at: at,
    });
  }

  const sameContent = (a: ConfigurationContent, b: ConfigurationContent) =>
    storedContent(a) === storedContent(b) &&
    JSON.stringify(splitSecrets(a.spec).secrets) === JSON.stringify(splitSecrets(b.spec).secrets);

  const by = (ctx: RequestContext) => ctx.actor.label ?? ctx.actor.type;

  return {
    list() {
      const counts = deps.delivery().counts();
      return store.list().map((row) => toDto(row, counts));
    },

    get(id) {
      const row = live(id);
      return { configuration: toDto(row), devices: deps.delivery().devicesOf(id) };
    },

    create(input, ctx) {
      const header = checkHeader(input);
      const kind = input.settings?.kind;
      if (!CONFIGURATION_KINDS.includes(kind))
        throw invalid('settings.kind', 'not-allowed', `The kind must be one of ${CONFIGURATION_KINDS.join(', ')}.`);
      const targets = checkTargets(kind, input.platforms, input.macChannel, input.settings);
      const checked = contentFromSettings(input.settings, targets.platforms, undefined, deps.ourIdentity);
      const id = random.uuid();
      const at = clock.now().toISOString();
      const row: ConfigurationRow = {
        id,
        name: header.name,
        description: header.description,
        kind,
        platforms: JSON.stringify(targets.platforms),
        mac_channel: targets.macChannel,
        scope: header.scope,
        version: 1,
        created_by: by(ctx),
        created_at: at,
        updated_by: by(ctx),
        updated_at: at,
        deleted_at: null,
      };
      return transaction(() => {
        store.insert(row);
        writeVersion(id, 1, checked, by(ctx), at);
        store.setUsers(id, header.userIds);
        audit.record({
          actor: ctx.actor,
          action: 'configuration.created',
          subject: { type: 'configuration', id, label: row.name },
          details: { kind: row.kind, platforms: targets.platforms, scope: header.scope, users: header.userIds.length },
          sourceAddress: ctx.sourceAddress,
        });
        deps.delivery().reconcileConfiguration(id);
        return toDto(row);
      });
    },

    update(id, input, ctx) {
      const header = checkHeader(input);
      return transaction(() => {
        const row = live(id);
        const previous = content(row, row.version);
        if (input.settings?.kind !== previous.spec.kind)
          throw invalid(
            'settings.kind',
            'not-allowed',
            'A configuration keeps its kind; create a new one for another kind.',
          );
        const targets = checkTargets(previous.spec.kind, input.platforms, input.macChannel, input.settings);
        const next = contentFromSettings(input.settings, targets.platforms, previous, deps.ourIdentity);
        const at = clock.now().toISOString();
        // A new name or description shows on the device (it is part of the profile): a new version too.
        const changed =
          !sameContent(previous, next) || header.name !== row.name || header.description !== row.description;
        const version = changed ? row.version + 1 : row.version;
        if (changed) writeVersion(id, version, next, by(ctx), at);
        const changes: Partial<ConfigurationRow> = {
          name: header.name,
          description: header.description,
          platforms: JSON.stringify(targets.platforms),
          mac_channel: targets.macChannel,
          scope: header.scope,
          version,
          updated_by: by(ctx),
          updated_at: at,
        };
        store.update(id, changes);
        store.setUsers(id, header.userIds);
        const updated = { ...row, ...changes };
        audit.record({
          actor: ctx.actor,
          action: 'configuration.updated',
          subject: { type: 'configuration', id, label: updated.name },
          details: {
            version: updated.version,
            newVersion: updated.version !== row.version,
            platforms: targets.platforms,
            scope: header.scope,
            users: header.userIds.length,
          },
          sourceAddress: ctx.sourceAddress,
        });
        deps.delivery().reconcileConfiguration(id);
        return toDto(updated);
      });
    },

    remove(id, ctx) {
      transaction(() => {
        const row = live(id);
        const at = clock.now().toISOString();
        store.update(id, { deleted_at: at, updated_by: by(ctx), updated_at: at });
        audit.record({
          actor: ctx.actor,
          action: 'configuration.deleted',
          subject: { type: 'configuration', id, label: row.name },
          details: { kind: row.kind, version: row.version },
          sourceAddress: ctx.sourceAddress,
        });
        deps.delivery().reconcileConfiguration(id);
      });
    },

    restrictions: () => RESTRICTIONS.map((r) => ({ key: r.key, default: r.default, ios: r.ios, macos: r.macos })),

    assignedTo(device) {
      return store.assignedTo(device.platform, device.userId).map((row) => toVersion(row, row.version));
    },

    version(configurationId, version) {
      const row = store.byId(configurationId);
      if (!row || !store.version(configurationId, version)) return undefined;
      return toVersion(row, version);
    },

    describe(configurationId) {
      const row = store.byId(configurationId);
      return row ? { name: row.name, kind: row.kind as ConfigurationKind } : undefined;
    },
  };
}
