import type { Db } from '../../db/open.js';
import { partialUpdate } from '../../db/partial-update.js';

/** An agent bearer token (only its hash). */
export interface AgentTokenRow {
  token_hash: string;
  device_id: string;
  created_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

/** An action for the Android agent. */
export interface AgentActionRow {
  id: string;
  device_id: string;
  type: 'lock' | 'wipe' | 'retire';
  params: string;
  status: 'queued' | 'delivered' | 'done' | 'failed' | 'cancelled';
  result: string | null;
  created_by: string;
  created_at: string;
  delivered_at: string | null;
  completed_at: string | null;
}

/** A CA certificate a user installed on an Android device, as its agent reported it. */
export interface AgentUserCaRow {
  device_id: string;
  sha256: string;
  subject: string;
  issuer: string;
  not_after: string;
  first_seen_at: string;
}

/** The SQL behind agent tokens, actions and CA reports. */
export interface AgentStore {
  insertToken(row: AgentTokenRow): void;
  token(hash: string): AgentTokenRow | undefined;
  revokeTokens(deviceId: string, at: string, reason: string): number;
  insertAction(row: AgentActionRow): void;
  action(id: string): AgentActionRow | undefined;
  updateAction(
    id: string,
    changes: Partial<Pick<AgentActionRow, 'status' | 'result' | 'delivered_at' | 'completed_at'>>,
  ): void;
  /** Actions not yet finished (queued or delivered), oldest first. */
  pending(deviceId: string): AgentActionRow[];
  actions(deviceId: string, limit: number): AgentActionRow[];
  cancelPending(deviceId: string, at: string): number;
  /** When the device's agent last reported its CA certificates, or undefined before its first report. */
  caReportedAt(deviceId: string): string | undefined;
  /** The device's reported user CA certificates, by first sight. */
  userCas(deviceId: string): AgentUserCaRow[];
  /**
   * Replaces the device's reported CA certificates with `rows` (a certificate already known keeps its first sight)
   * and records the report's time; returns the certificates not known before.
   */
  replaceUserCas(deviceId: string, rows: Omit<AgentUserCaRow, 'device_id' | 'first_seen_at'>[], at: string): string[];
}

/** Builds the agent store over an open database. */
export function createAgentStore(db: Db): AgentStore {
  const s = {
    insertToken: db.prepare(
      'INSERT INTO agent_tokens (token_hash, device_id, created_at, revoked_at, revoked_reason) VALUES (@token_hash, @device_id, @created_at, @revoked_at, @revoked_reason)',
    ),
    token: db.prepare<[string], AgentTokenRow>('SELECT * FROM agent_tokens WHERE token_hash = ?'),
    revoke: db.prepare(
      'UPDATE agent_tokens SET revoked_at = ?, revoked_reason = ? WHERE device_id = ? AND revoked_at IS NULL',
    ),
    insertAction:
      db.prepare(`INSERT INTO agent_actions (id, device_id, type, params, status, result, created_by, created_at, delivered_at, completed_at)
      VALUES (@id, @device_id, @type, @params, @status, @result, @created_by, @created_at, @delivered_at, @completed_at)`),
    action: db.prepare<[string], AgentActionRow>('SELECT * FROM agent_actions WHERE id = ?'),
    pending: db.prepare<[string], AgentActionRow>(
      "SELECT * FROM agent_actions WHERE device_id = ? AND status IN ('queued', 'delivered') ORDER BY created_at, rowid",
    ),
    actions: db.prepare<[string, number], AgentActionRow>(
      'SELECT * FROM agent_actions WHERE device_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?',
    ),
    cancel: db.prepare(
      "UPDATE agent_actions SET status = 'cancelled', completed_at = ? WHERE device_id = ? AND status IN ('queued', 'delivered')",
    ),
    caReportedAt: db.prepare<[string], { reported_at: string }>(
      'SELECT reported_at FROM agent_ca_reports WHERE device_id = ?',
    ),
    userCas: db.prepare<[string], AgentUserCaRow>(
      'SELECT * FROM agent_user_cas WHERE device_id = ? ORDER BY first_seen_at, sha256',
    ),
    caReport: db.prepare(
      'INSERT INTO agent_ca_reports (device_id, reported_at) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET reported_at = excluded.reported_at',
    ),
    deleteUserCas: db.prepare('DELETE FROM agent_user_cas WHERE device_id = ?'),
    insertUserCa: db.prepare(
      'INSERT INTO agent_user_cas (device_id, sha256, subject, issuer, not_after, first_seen_at) VALUES (@device_id, @sha256, @subject, @issuer, @not_after, @first_seen_at)',
    ),
    updateAction: partialUpdate(db, 'agent_actions', ['status', 'result', 'delivered_at', 'completed_at'], ['id']),
  };
  return {
    insertToken: (row) => {
      s.insertToken.run(row);
    },
    token: (h) => s.token.get(h),
    revokeTokens: (device, at, reason) => s.revoke.run(at, reason, device).changes,
    insertAction: (row) => {
      s.insertAction.run(row);
    },
    action: (id) => s.action.get(id),
    updateAction: (id, changes) => {
      s.updateAction({ id }, changes);
    },
    pending: (d) => s.pending.all(d),
    actions: (d, limit) => s.actions.all(d, limit),
    cancelPending: (d, at) => s.cancel.run(at, d).changes,
    caReportedAt: (d) => s.caReportedAt.get(d)?.reported_at,
    userCas: (d) => s.userCas.all(d),
    replaceUserCas: (deviceId, rows, at) => {
      const before = new Map(s.userCas.all(deviceId).map((r) => [r.sha256, r.first_seen_at]));
      const added: string[] = [];
      const written = new Set<string>();
      s.deleteUserCas.run(deviceId);
      for (const r of rows) {
        if (written.has(r.sha256)) continue;
        written.add(r.sha256);
        const seen = before.get(r.sha256);
        if (seen === undefined) added.push(r.sha256);
        s.insertUserCa.run({ ...r, device_id: deviceId, first_seen_at: seen ?? at });
      }
      s.caReport.run(deviceId, at);
      return added;
    },
  };
}
