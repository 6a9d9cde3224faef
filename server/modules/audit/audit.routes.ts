import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { adminActor } from '../../http/auth.js';
import type { AuditService } from './audit.service.js';
import { AuditExportQuery, AuditListQuery } from './audit.schemas.js';

/** Registers the audit trail: GET /api/audit (filtered, paged), /api/audit/export and /api/audit/verify. */
export async function auditRoutes(app: FastifyInstance, opts: { audit: AuditService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { audit } = opts;

  r.get('/api/audit', { schema: { querystring: AuditListQuery } }, async (request) => audit.list(request.query));

  r.get('/api/audit/verify', async () => audit.verify());

  r.get('/api/audit/export', { schema: { querystring: AuditExportQuery } }, async (request, reply) => {
    const { format, ...query } = request.query;
    // Validate the filters before the first byte goes out, so errors still get a JSON body.
    audit.list({ ...query, limit: 1 });
    const event = audit.record({
      actor: adminActor(request),
      action: 'audit.exported',
      details: { format, filters: query },
      sourceAddress: request.ip,
    });
    const stamp = event.at.slice(0, 10);
    void reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="tsunagu-audit-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
      )
      .header('cache-control', 'no-store');
    return reply.send(Readable.from(audit.exportLines(format, query)));
  });
}
