// Seeds audit events straight into a server's SQLite file, for the console benchmark: after whatever the trail holds
// (the devices seed writes each device's lifecycle events), the events an office's other days leave, up to `total`:
// half of them users at the portal (sign-ins, enrollments, profile downloads), a third admins at the console (users,
// invitations, settings; a sign-in now and then) and the rest the system (mail, housekeeping). Times follow the
// sequence, one a minute after the newest event there. Like the devices seed, the rows skip the audit chain (they do
// not verify): this measures reading, not recording. The search index is brought up to date as the server's tick does.
import Database from 'better-sqlite3';
import { dataPaths } from '../../server/paths.js';

const pad = (n: number, w = 5) => String(n).padStart(w, '0');

/** Appends audit events until the trail holds `total`; returns the count then. `users` seeded users are referred to. */
export function seedAuditEvents(dataDir: string, options: { total: number; users: number }): number {
  const db = new Database(dataPaths(dataDir).db);
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare(
    `INSERT INTO audit_events (seq, id, at, actor_type, actor_id, actor_label, action, subject_type, subject_id,
       subject_label, details, source_address, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seeded', 'seeded')`,
  );
  const seed = db.transaction(() => {
    const head = db.prepare('SELECT coalesce(max(seq), 0) AS seq, max(at) AS at FROM audit_events').get() as {
      seq: number;
      at: string | null;
    };
    const admin = (db.prepare('SELECT id, email FROM admins ORDER BY created_at LIMIT 1').get() as
      { id: string; email: string } | undefined) ?? { id: 'seed-admin', email: 'admin@example.com' };
    const start = Date.parse(head.at ?? '2026-09-01T00:00:00.000Z');
    let seq = head.seq;
    for (let n = 1; seq < options.total; n++) {
      seq++;
      const at = new Date(start + n * 60_000).toISOString();
      const u = n % options.users;
      const email = `user${pad(u)}@example.com`;
      const userId = `seed-user-${pad(u)}`;
      const kind = n % 6;
      let row: [string, string | null, string, string, string | null, string | null, string | null, string];
      if (kind <= 2) {
        const action = ['portal.signed_in', 'enrollment.created', 'profile.downloaded'][kind] ?? 'portal.signed_in';
        row = ['user', userId, email, action, 'user', userId, email, '{}'];
      } else if (kind <= 4) {
        const action =
          n % 500 === 3
            ? 'admin.login'
            : (['user.updated', 'invitation.created', 'user.created', 'settings.updated', 'invitation.resent'][n % 5] ??
              'user.updated');
        row =
          action.startsWith('admin.') || action === 'settings.updated'
            ? ['admin', admin.id, admin.email, action, null, null, null, '{}']
            : ['admin', admin.id, admin.email, action, 'user', userId, email, '{}'];
      } else {
        const action = n % 2 ? 'mail.failed' : 'invitation.expired';
        row = ['system', null, 'system', action, 'user', userId, email, '{"reason":"seeded"}'];
      }
      const [actorType, actorId, actorLabel, action, subjectType, subjectId, subjectLabel, details] = row;
      insert.run(
        seq,
        `seed-audit-${seq}`,
        at,
        actorType,
        actorId,
        actorLabel,
        action,
        subjectType,
        subjectId,
        subjectLabel,
        details,
        actorType === 'system' ? null : '192.0.2.10',
      );
    }
    // Indexed for search as the server's tick would have done by now (migration 020), so the benchmark's first search
    // does not pay for indexing the whole seed.
    db.prepare(
      `INSERT INTO audit_search (rowid, actor_label, subject_label)
         SELECT seq, actor_label, subject_label FROM audit_events WHERE seq > (SELECT seq FROM audit_search_mark)`,
    ).run();
    db.prepare('UPDATE audit_search_mark SET seq = ?').run(seq);
    return seq;
  });
  const count = seed.immediate();
  db.close();
  return count;
}
