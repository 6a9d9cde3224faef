// The audit trail endpoints: list, verify, and the export download address.
import type { AuditPage, AuditQuery, AuditVerifyResult } from '../../server/contract/index.js';
import { withQuery, type ApiClient } from './client.js';

/** Formats the export endpoint writes. */
export type AuditExportFormat = 'jsonl' | 'csv';

/** The audit endpoints. */
export interface AuditApi {
  list(query?: AuditQuery): Promise<AuditPage>;
  verify(): Promise<AuditVerifyResult>;
  /** The address of a download of every matching event; a plain link (a GET needs no CSRF token). */
  exportUrl(format: AuditExportFormat, query?: AuditQuery): string;
}

/** Builds the audit endpoints over a client. */
export function createAuditApi(client: ApiClient): AuditApi {
  return {
    list: (query = {}) => client.get('/api/audit', { ...query }),
    verify: () => client.get('/api/audit/verify'),
    exportUrl: (format, query = {}) => {
      const { from, to, action, actorType, actor, subject } = query;
      return withQuery('/api/audit/export', { format, from, to, action, actorType, actor, subject });
    },
  };
}
