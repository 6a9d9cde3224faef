import type { ConfigurationPlatform } from '../../contract/configurations.js';
import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** A configuration of the library: its current version number and who it is assigned to. */
export interface ConfigurationRow {
  id: string;
  name: string;
  description: string | null;
  kind: string;
  /** JSON array of ConfigurationPlatform. */
  platforms: string;
  mac_channel: 'device' | 'user';
  scope: 'everyone' | 'users';
  version: number;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  deleted_at: string | null;
}

/** One version of a configuration's content: the spec as an XML plist, its secrets sealed. */
export interface ConfigurationVersionRow {
  configuration_id: string;
  version: number;
  spec: string;
  secrets_sealed: string | null;
  created_by: string;
  created_at: string;
}

/** The SQL behind the configuration library (configurations, their versions and assigned users). */
export interface ConfigurationsStore {
  insert(row: ConfigurationRow): void;
  update(id: string, changes: Partial<ConfigurationRow>): void;
  /** Any configuration, deleted ones included. */
  byId(id: string): ConfigurationRow | undefined;
  /** The live configurations, newest first. */
  list(): ConfigurationRow[];
  insertVersion(row: ConfigurationVersionRow): void;
  version(id: string, version: number): ConfigurationVersionRow | undefined;
  /** The users a configuration with scope 'users' goes to. */
  userIds(id: string): string[];
  /** Replaces the assigned users. */
  setUsers(id: string, userIds: readonly string[]): void;
  /** The live configurations that apply to a device of `platform` used by `userId` (scope and platforms). */
  assignedTo(platform: ConfigurationPlatform, userId: string | null): ConfigurationRow[];
}

const UPDATABLE = [
  'name',
  'description',
  'platforms',
  'mac_channel',
  'scope',
  'version',
  'updated_by',
  'updated_at',
  'deleted_at',
] as const;

/** Builds the configuration library's store over an open database. */
export function createConfigurationsStore(db: Db): ConfigurationsStore {
  const s = {
    insert: db.prepare(`INSERT INTO configurations
      (id, name, description, kind, platforms, mac_channel, scope, version, created_by, created_at, updated_by, updated_at, deleted_at)
      VALUES (@id, @name, @description, @kind, @platforms, @mac_channel, @scope, @version, @created_by, @created_at,
        @updated_by, @updated_at, @deleted_at)`),
    byId: db.prepare<[string], ConfigurationRow>('SELECT * FROM configurations WHERE id = ?'),
    list: db.prepare<[], ConfigurationRow>(
      'SELECT * FROM configurations WHERE deleted_at IS NULL ORDER BY created_at DESC, rowid DESC',
    ),
    insertVersion: db.prepare(`INSERT INTO configuration_versions
      (configuration_id, version, spec, secrets_sealed, created_by, created_at)
      VALUES (@configuration_id, @version, @spec, @secrets_sealed, @created_by, @created_at)`),
    version: db.prepare<[string, number], ConfigurationVersionRow>(
      'SELECT * FROM configuration_versions WHERE configuration_id = ? AND version = ?',
    ),
    userIds: db.prepare<[string], { user_id: string }>(
      'SELECT user_id FROM configuration_users WHERE configuration_id = ? ORDER BY user_id',
    ),
    clearUsers: db.prepare('DELETE FROM configuration_users WHERE configuration_id = ?'),
    addUser: db.prepare('INSERT OR IGNORE INTO configuration_users (configuration_id, user_id) VALUES (?, ?)'),
    assigned: db.prepare<[string, string | null], ConfigurationRow>(`SELECT c.* FROM configurations c
      WHERE c.deleted_at IS NULL
        AND EXISTS (SELECT 1 FROM json_each(c.platforms) p WHERE p.value = ?)
        AND (c.scope = 'everyone'
          OR EXISTS (SELECT 1 FROM configuration_users u WHERE u.configuration_id = c.id AND u.user_id = ?))
      ORDER BY c.created_at, c.rowid`),
    update: partialUpdate(db, 'configurations', UPDATABLE, ['id']),
  };
  const setUsers = db.transaction((id: string, userIds: readonly string[]) => {
    s.clearUsers.run(id);
    for (const userId of userIds) s.addUser.run(id, userId);
  });
  return {
    insert: (row) => {
      s.insert.run(row);
    },
    update: (id, changes) => {
      s.update({ id }, changes);
    },
    byId: (id) => s.byId.get(id),
    list: () => s.list.all(),
    insertVersion: (row) => {
      s.insertVersion.run(row);
    },
    version: (id, version) => s.version.get(id, version),
    userIds: (id) => s.userIds.all(id).map((r) => r.user_id),
    setUsers: (id, userIds) => setUsers(id, userIds),
    assignedTo: (platform, userId) => s.assigned.all(platform, userId),
  };
}
