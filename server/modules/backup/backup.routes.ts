import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/errors.js';
import { adminActor } from '../../http/auth.js';
import { BackupRequest, RestoreApplyRequest } from './backup.schemas.js';
import type { BackupService } from './backup.service.js';
import type { RestoreService } from './restore.service.js';

/** The content types a backup upload may come as: the browser sends the file's bytes as they are. */
const UPLOAD_TYPES = ['application/octet-stream', 'application/x-tsunagu-backup'];

/**
 * Registers POST /api/backup: answers the backup container as a download, streamed from its temporary file, which is
 * deleted when the answer ends (sent, failed or abandoned); PUT /api/restore/upload (the file, streamed to disk) and
 * POST /api/restore (the passphrase; the server restarts on the restored data). Registered in the admin scope
 * (session and CSRF).
 */
export async function backupRoutes(
  app: FastifyInstance,
  opts: { backup: BackupService; restore?: RestoreService },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The upload's body is not parsed: the service streams it to disk and counts its bytes against its own limit.
  app.addContentTypeParser(UPLOAD_TYPES, (_request, payload, done) => done(null, payload));
  const { restore } = opts;
  if (restore) {
    r.put('/api/restore/upload', async (request, reply) => {
      const declared = request.headers['content-length'];
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function')
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the backup file as application/octet-stream.');
      const uploaded = await restore.upload(
        body,
        declared === undefined ? null : Number(declared),
        adminActor(request),
        request.ip,
      );
      return reply.status(201).send(uploaded);
    });
    r.post('/api/restore', { schema: { body: RestoreApplyRequest } }, async (request, reply) => {
      await restore.apply(request.body.uploadId, request.body.passphrase, adminActor(request), request.ip);
      // The restart comes once this answer has gone (the service asked for it); every session ends with it.
      return reply.status(202).header('connection', 'close').send({ restarting: true });
    });
  }
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
