import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, schemaVersion } from './migrate.js';
import { openDatabase, WAL_AUTOCHECKPOINT_PAGES } from './open.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migrations', () => {
  it('applies every numbered migration once and records the version', () => {
    const db = openDatabase(':memory:');
    const all = loadMigrations();
    expect(migrate(db)).toEqual({ from: 0, to: all.length });
    expect(schemaVersion(db)).toBe(all.length);
    expect(migrate(db)).toEqual({ from: all.length, to: all.length });
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: all.length });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it("015 moves each device's DeviceInformation answer out of the device row, keeping it", () => {
    const db = openDatabase(':memory:');
    const all = loadMigrations();
    const at = all.findIndex((m) => m.version === 15);
    expect(at).toBeGreaterThan(0);
    migrate(db, all.slice(0, at));
    const row = (id: string, info: string) =>
      db
        .prepare(
          `INSERT INTO devices (id, platform, status, info, created_at, updated_at)
           VALUES (?, 'ios', 'active', ?, '2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z')`,
        )
        .run(id, info);
    row('answered', '{"DeviceName":"経理の iPad","BatteryLevel":0.8}');
    row('silent', '{}');
    migrate(db, all);
    expect(db.prepare('SELECT device_id, info, updated_at FROM device_info').all()).toEqual([
      {
        device_id: 'answered',
        info: '{"DeviceName":"経理の iPad","BatteryLevel":0.8}',
        updated_at: '2026-12-02T00:00:00.000Z',
      },
    ]);
    const columns = (db.prepare('PRAGMA table_info(devices)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('info');
    expect(db.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: 2 });
  });

  it('018 makes every existing challenge an enrollment’s and every issued certificate an MDM identity', () => {
    const db = openDatabase(':memory:');
    const all = loadMigrations();
    const at = all.findIndex((m) => m.name.includes('configuration-identities'));
    expect(at).toBeGreaterThan(0);
    migrate(db, all.slice(0, at));
    const t = '2026-12-01T00:00:00.000Z';
    db.prepare(
      `INSERT INTO users (id, email, email_norm, display_name, locale, source, created_at, updated_at)
       VALUES ('u', 'u@x', 'u@x', 'U', 'en', 'local', ?, ?)`,
    ).run(t, t);
    db.prepare(
      `INSERT INTO enrollments (id, user_id, platform, status, token_hash, expires_at, created_at, updated_at)
       VALUES ('e', 'u', 'ios', 'enrolled', 'h', ?, ?, ?)`,
    ).run(t, t, t);
    db.prepare(
      `INSERT INTO scep_challenges (id, enrollment_id, challenge_hash, device_hint, created_at, expires_at)
       VALUES ('c', 'e', 'ch', 'ios', ?, ?)`,
    ).run(t, t);
    db.prepare(
      `INSERT INTO issued_certificates (serial, enrollment_id, subject, sha256, not_before, not_after, cert_pem, kind, transaction_id, created_at)
       VALUES ('01', 'e', 'CN=x', 's', ?, ?, 'pem', 'PKCSReq', 'tx', ?)`,
    ).run(t, t, t);
    migrate(db, all);
    expect(db.prepare('SELECT purpose, device_id, configuration_id, template FROM scep_challenges').get()).toEqual({
      purpose: 'enrollment',
      device_id: null,
      configuration_id: null,
      template: null,
    });
    expect(db.prepare('SELECT purpose, configuration_id, channel, template FROM issued_certificates').get()).toEqual({
      purpose: 'mdm',
      configuration_id: null,
      channel: null,
      template: null,
    });
    // A configuration identity without its template, or an MDM identity with one, is not a row.
    expect(() =>
      db
        .prepare(
          `INSERT INTO issued_certificates (serial, enrollment_id, subject, sha256, not_before, not_after, cert_pem, kind, transaction_id, created_at, purpose)
           VALUES ('02', 'e', 'CN=y', 's2', ?, ?, 'pem', 'PKCSReq', 'tx', ?, 'configuration')`,
        )
        .run(t, t, t),
    ).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE scep_challenges SET template = '{}' WHERE id = 'c'").run()).toThrow(/CHECK/);
  });

  it('uses WAL for files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-wal-'));
    dirs.push(dir);
    const db = openDatabase(join(dir, 'x.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(32 * 1024 * 1024);
    db.close();
  });

  it('refuses a database from a newer version without changing it', () => {
    const db = openDatabase(':memory:');
    migrate(db);
    const newer = loadMigrations().length + 3;
    db.pragma(`user_version = ${newer}`);
    expect(() => migrate(db)).toThrow(
      expect.objectContaining({ code: 'DB_NEWER_VERSION', message: expect.stringMatching(/newer version/) }),
    );
    expect(schemaVersion(db)).toBe(newer);
  });

  it('rolls back every migration when one fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-mig-'));
    dirs.push(dir);
    writeFileSync(join(dir, '001-good.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '002-bad.sql'), 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL;');
    const db = openDatabase(':memory:');
    expect(() => migrate(db, loadMigrations(dir))).toThrow();
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a', 'b')").get()).toEqual({ n: 0 });
  });

  it('refuses gaps in the numbering', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsunagu-gap-'));
    dirs.push(dir);
    writeFileSync(join(dir, '001-a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '003-c.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/out of sequence/);
  });
});
