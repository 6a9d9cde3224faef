// Seeds many devices straight into a server's SQLite file, for the devices-at-scale benchmark and browser test:
// users, their devices (all platforms and statuses, last-seen times with ties), one enrolled enrollment per device
// and some pending ones, each device's lifecycle events in the audit trail, an identity certificate per Apple device
// and two MDM commands with results. Rows are written as the server would store them, without its rules or its
// audit chain (the seeded audit events do not verify): this measures reading, not enrolling.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { dataPaths } from '../../server/paths.js';

/** What was seeded: counts, and a few rows to look for. */
export interface DeviceSeed {
  devices: number;
  users: number;
  /** The id of a user with devices and pending enrollments. */
  sampleUserId: string;
  sampleUserEmail: string;
  /** The device seeded first (the oldest last-seen time). */
  firstDeviceName: string;
}

const STATUSES = ['active', 'active', 'active', 'active', 'active', 'active', 'inactive', 'pending', 'wiped', 'reset'];
const PLATFORMS = ['ios', 'macos', 'android'] as const;
const BASE = Date.parse('2026-09-01T00:00:00.000Z');

const pad = (n: number, w = 5) => String(n).padStart(w, '0');
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** The name seeded for device `i` (0-based). */
export function seededDeviceName(i: number): string {
  const p = PLATFORMS[i % 3];
  return `${p === 'ios' ? 'iPhone' : p === 'macos' ? 'MacBook' : 'Pixel'} ${pad(i + 1)}`;
}

/** Writes `devices` devices and `users` users into the server's database in `dataDir`; the server may be running. */
export function seedDevices(dataDir: string, options: { devices: number; users?: number }): DeviceSeed {
  const userCount = options.users ?? Math.max(1, Math.ceil(options.devices / 50));
  const db = new Database(dataPaths(dataDir).db);
  db.pragma('busy_timeout = 10000');
  const insertUser = db.prepare(
    `INSERT INTO users (id, email, email_norm, display_name, locale, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'en', 'local', ?, ?)`,
  );
  const insertEnrollment = db.prepare(
    `INSERT INTO enrollments (id, user_id, platform, status, token_hash, expires_at, device_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const bindEnrollment = db.prepare('UPDATE enrollments SET device_id = ? WHERE id = ?');
  const insertDevice = db.prepare(
    `INSERT INTO devices (id, platform, user_id, udid, serial_number, hardware_id, device_name, model, model_name,
       os_version, status, enrolled_at, last_seen_at, status_reason, api_level, manufacturer, enrollment_id,
       created_at, updated_at)
     VALUES (@id, @platform, @user, @udid, @serial, @hw, @name, @model, @modelName, @os, @status, @enrolled, @seen,
       @reason, @api, @maker, @enrollment, @created, @created)`,
  );
  const insertInfo = db.prepare('INSERT INTO device_info (device_id, info, updated_at) VALUES (?, ?, ?)');
  const insertEvent = db.prepare(
    `INSERT INTO audit_events (seq, id, at, actor_type, actor_label, action, subject_type, subject_id, subject_label,
       details, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, 'device', ?, ?, ?, 'seeded', 'seeded')`,
  );
  const insertCert = db.prepare(
    `INSERT INTO issued_certificates (serial, enrollment_id, device_id, subject, sha256, not_before, not_after,
       cert_pem, kind, transaction_id, created_at, revoked_at, revoked_reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'seeded', 'PKCSReq', ?, ?, ?, ?)`,
  );
  const insertCommand = db.prepare(
    `INSERT INTO mdm_commands (uuid, device_id, channel, request_type, command, status, result, created_by, created_at,
       sent_at, completed_at)
     VALUES (?, ?, 'device', ?, '{}', ?, ?, 'seed', ?, ?, ?)`,
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  const seed = db.transaction(() => {
    let seq = (db.prepare('SELECT coalesce(max(seq), 0) AS n FROM audit_events').get() as { n: number }).n;
    for (let u = 0; u < userCount; u++) {
      const email = `user${pad(u)}@example.com`;
      insertUser.run(`seed-user-${pad(u)}`, email, email, `User ${pad(u)}`, iso(BASE), iso(BASE));
      // Every tenth user has an enrollment waiting for a device.
      if (u % 10 === 0)
        insertEnrollment.run(
          `seed-pending-${pad(u)}`,
          `seed-user-${pad(u)}`,
          'ios',
          'pending',
          hex(`pending ${u}`),
          iso(BASE + 400 * 86_400_000),
          null,
          iso(BASE),
          iso(BASE),
        );
    }
    for (let i = 0; i < options.devices; i++) {
      const platform = PLATFORMS[i % 3] ?? 'ios';
      const status = STATUSES[Math.floor(i / 3) % STATUSES.length] ?? 'active';
      const id = `seed-device-${pad(i, 6)}`;
      const user = `seed-user-${pad(i % userCount)}`;
      const created = BASE + i * 60_000;
      // Seen times in whole minutes over the last weeks, many devices sharing a minute (ties the id breaks).
      const seen = status === 'pending' ? null : BASE + Math.floor(i / 4) * 240_000 + 86_400_000;
      const enrollment = `seed-enrollment-${pad(i, 6)}`;
      insertEnrollment.run(
        enrollment,
        user,
        platform,
        status === 'pending' ? 'pending' : 'enrolled',
        hex(`enrollment ${i}`),
        iso(created + 86_400_000),
        null,
        iso(created),
        iso(created),
      );
      const apple = platform !== 'android';
      insertDevice.run({
        id,
        platform,
        user,
        udid: apple ? hex(`udid ${i}`).slice(0, 36).toUpperCase() : null,
        serial: `SN${pad(i, 8)}`,
        hw: apple ? null : hex(`hw ${i}`).slice(0, 16),
        name: seededDeviceName(i),
        model: apple ? (platform === 'ios' ? 'iPhone15,2' : 'Mac14,2') : 'Pixel 7',
        modelName: apple ? (platform === 'ios' ? 'iPhone 14 Pro' : 'MacBook Air') : 'Pixel 7',
        os: apple ? '17.5' : '14',
        status,
        enrolled: status === 'pending' ? null : iso(created + 300_000),
        seen: seen === null ? null : iso(seen),
        reason:
          status === 'pending'
            ? 'awaiting_token_update'
            : status === 'inactive'
              ? 'retired'
              : status === 'wiped'
                ? 'wiped'
                : status === 'reset'
                  ? 'push_token_gone'
                  : null,
        api: apple ? null : 34,
        maker: apple ? 'Apple' : 'Google',
        enrollment,
        created: iso(created),
      });
      // An enrolled Apple device answered DeviceInformation: its answer to the server's default queries, as stored.
      if (apple && status !== 'pending')
        insertInfo.run(
          id,
          JSON.stringify({
            DeviceName: seededDeviceName(i),
            OSVersion: '17.5',
            BuildVersion: '21F79',
            ModelName: platform === 'ios' ? 'iPhone 14 Pro' : 'MacBook Air',
            Model: platform === 'ios' ? 'iPhone15,2' : 'Mac14,2',
            ProductName: platform === 'ios' ? 'iPhone15,2' : 'Mac14,2',
            SerialNumber: `SN${pad(i, 8)}`,
            UDID: hex(`udid ${i}`).slice(0, 36).toUpperCase(),
            DeviceCapacity: 238.42,
            AvailableDeviceCapacity: 101.7 + (i % 97),
            BatteryLevel: (i % 100) / 100,
            WiFiMAC: hex(`wifi ${i}`)
              .slice(0, 12)
              .replace(/(..)(?!$)/g, '$1:'),
            BluetoothMAC: hex(`bt ${i}`)
              .slice(0, 12)
              .replace(/(..)(?!$)/g, '$1:'),
            IsSupervised: false,
            IsActivationLockEnabled: i % 2 === 0,
          }),
          iso(created + 300_000),
        );
      // The device and its enrollment point at each other: the enrollment learns its device once the device exists.
      bindEnrollment.run(id, enrollment);
      insertEvent.run(
        ++seq,
        `seed-ev-${seq}`,
        iso(created),
        'user',
        `User ${pad(i % userCount)}`,
        'device.enrolling',
        id,
        seededDeviceName(i),
        JSON.stringify({ platform }),
      );
      if (status !== 'pending')
        insertEvent.run(
          ++seq,
          `seed-ev-${seq}`,
          iso(created + 300_000),
          'device',
          seededDeviceName(i),
          'device.enrolled',
          id,
          seededDeviceName(i),
          JSON.stringify({ from: 'pending', to: 'active' }),
        );
      if (status !== 'pending' && status !== 'active')
        insertEvent.run(
          ++seq,
          `seed-ev-${seq}`,
          iso(created + 600_000),
          'admin',
          'Office Admin',
          `device.${status === 'inactive' ? 'retired' : status === 'wiped' ? 'wiped' : 'reset_detected'}`,
          id,
          seededDeviceName(i),
          JSON.stringify({ from: 'active', to: status }),
        );
      if (apple) {
        const serial = hex(`serial ${i}`).slice(0, 32);
        const revoked = status === 'inactive' || status === 'wiped';
        insertCert.run(
          serial,
          enrollment,
          id,
          `CN=${seededDeviceName(i)}`,
          hex(`cert ${i}`),
          iso(created),
          iso(created + 365 * 86_400_000),
          `tx-${i}`,
          iso(created),
          revoked ? iso(created + 600_000) : null,
          revoked ? 'retired' : null,
        );
        if (status !== 'pending') {
          insertCommand.run(
            `seed-cmd-${pad(i, 6)}-a`,
            id,
            'DeviceInformation',
            'acknowledged',
            JSON.stringify({ QueryResponses: { DeviceName: seededDeviceName(i), OSVersion: '17.5' } }),
            iso(created + 320_000),
            iso(created + 320_000),
            iso(created + 330_000),
          );
          insertCommand.run(
            `seed-cmd-${pad(i, 6)}-b`,
            id,
            'ProfileList',
            'queued',
            null,
            iso(created + 340_000),
            null,
            null,
          );
        }
      }
    }
  });
  seed.immediate();
  db.close();
  return {
    devices: options.devices,
    users: userCount,
    sampleUserId: 'seed-user-00000',
    sampleUserEmail: 'user00000@example.com',
    firstDeviceName: seededDeviceName(0),
  };
}
