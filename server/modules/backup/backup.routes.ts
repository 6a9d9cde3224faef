import { createReadStream } from 'node:fs';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../http/auth.js';
import { BackupRequest } from './backup.schemas.js';
import type { BackupService } from './backup.service.js';

/**
 * Registers POST /api/backup: answers the backup container as a download, streamed from its temporary file, which is
 * deleted when the answer ends (sent, failed or abandoned). Registered in the admin scope (session and CSRF).
 */
export async function backupRoutes(app: FastifyInstance, opts: { backup: BackupService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post('/api/backup', { schema: { body: BackupRequest } }, async (request, reply) => {
    const prepared = await opts.backup.create(request.body.passphrase, adminActor(request), request.ip);
    // 'close' comes once the response is done or its connection went away: either way the file goes.
    reply.raw.once('close', prepared.release);
    if (reply.raw.destroyed) prepared.release();
    const stream = createReadStream(prepared.path);
    void reply
      .type('application/octet-stream')
      .header('content-length', prepared.bytes)
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${prepared.fileName}"`);
    return reply.send(stream);
  });
}
