import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/helpers/temp-dir.js';
import { applyStagedRestore, RESTORE_MARKER, RESTORE_STAGING_DIR, type RestoreMarker } from './restore-staging.js';

let dir: { path: string; remove: () => void };
const key = Buffer.alloc(32, 7);
const marker: RestoreMarker = {
  actor: { type: 'admin', id: 'a1', label: 'admin@example.com' },
  sourceAddress: '127.0.0.1',
  stagedAt: '2026-12-06T09:00:00.000Z',
  backupCreatedAt: '2026-12-01T09:00:00.000Z',
  schemaVersion: 10,
  bytes: 1234,
};
const db = () => join(dir.path, 'tsunagu.db');
const keyFile = () => join(dir.path, 'secret.key');
const staging = () => join(dir.path, RESTORE_STAGING_DIR);

function stage(withMarker: boolean): void {
  mkdirSync(staging());
  writeFileSync(join(staging(), 'tsunagu.db'), 'restored');
  writeFileSync(join(staging(), 'secret.key'), key.toString('base64'));
  if (withMarker) writeFileSync(join(staging(), RESTORE_MARKER), JSON.stringify(marker));
}

beforeEach(() => {
  dir = tempDir('restore-staging');
  writeFileSync(db(), 'live');
  writeFileSync(`${db()}-wal`, 'live wal');
  writeFileSync(keyFile(), 'live key');
});
afterEach(() => dir.remove());

describe('a staged restore at start', () => {
  it('does nothing without a staging directory', () => {
    expect(applyStagedRestore(dir.path, db(), keyFile())).toBeNull();
    expect(readFileSync(db(), 'utf8')).toBe('live');
  });

  it('discards a staging without its marker (an apply cut short) and keeps the live data', () => {
    stage(false);
    expect(applyStagedRestore(dir.path, db(), keyFile())).toBeNull();
    expect([readFileSync(db(), 'utf8'), readFileSync(keyFile(), 'utf8')]).toEqual(['live', 'live key']);
    expect(existsSync(staging())).toBe(false);
  });

  it('swaps the database and key file in, drops the old WAL, and is finished after the audit', () => {
    stage(true);
    const applied = applyStagedRestore(dir.path, db(), keyFile());
    expect(applied?.marker).toEqual(marker);
    expect(applied?.key.equals(key)).toBe(true);
    expect(readFileSync(db(), 'utf8')).toBe('restored');
    expect(existsSync(`${db()}-wal`)).toBe(false);
    expect(readFileSync(keyFile(), 'utf8')).toBe(key.toString('base64'));
    // A start that stopped before the audit event finds the marker again, with the database already swapped.
    expect(applyStagedRestore(dir.path, db(), keyFile())?.marker).toEqual(marker);
    applied?.finish();
    expect(existsSync(staging())).toBe(false);
  });

  it('leaves the key file alone when the key comes from TSUNAGU_SECRET_PASSPHRASE', () => {
    stage(true);
    applyStagedRestore(dir.path, db(), null);
    expect(readFileSync(keyFile(), 'utf8')).toBe('live key');
  });
});
