import { open } from 'node:fs/promises';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { HelperBuildResponse } from '../../contract/settings.js';
import { AppError } from '../../core/errors.js';
import { adminActor } from '../../http/auth.js';
import { jsonNotFound } from '../../http/error-handler.js';
import { HELPER_FILE_KINDS, HELPER_MAX_BYTES, servedName } from './helper-file.js';
import { HelperUploadQuery } from './helper-build.schemas.js';
import type { HelperBuildService } from './helper-build.service.js';

/** The declared Content-Length of a request, or null when it streams without one. */
function declaredBytes(request: FastifyRequest): number | null {
  const raw = request.headers['content-length'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : null;
}

/**
 * Registers the admin's helper build routes: GET, PUT (the file as an application/octet-stream body, streamed to disk,
 * never held in memory) and DELETE /api/settings/helper-build. Registered in the admin scope (session and CSRF).
 */
export async function helperBuildRoutes(app: FastifyInstance, opts: { helper: HelperBuildService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { helper } = opts;
  // Fastify checks bodyLimit only for bodies it reads itself: a streamed one is refused here by its declared size,
  // and the service counts the bytes as they arrive.
  app.addContentTypeParser('application/octet-stream', (request, payload, done) => {
    const declared = declaredBytes(request);
    if (declared !== null && declared > HELPER_MAX_BYTES)
      return done(
        new AppError('BODY_TOO_LARGE', `The helper build is larger than ${HELPER_MAX_BYTES / 1024 / 1024} MB.`, {
          maxBytes: HELPER_MAX_BYTES,
        }),
        undefined,
      );
    done(null, payload);
  });

  r.get('/api/settings/helper-build', async (): Promise<HelperBuildResponse> => helper.status());
  r.put(
    '/api/settings/helper-build',
    { schema: { querystring: HelperUploadQuery }, bodyLimit: HELPER_MAX_BYTES },
    async (request): Promise<HelperBuildResponse> => {
      if (!request.body || typeof (request.body as Readable).pipe !== 'function')
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the helper build as application/octet-stream.');
      return helper.upload(
        request.body as Readable,
        { fileName: request.query.fileName, declaredBytes: declaredBytes(request) },
        adminActor(request),
        request.ip,
      );
    },
  );
  r.delete('/api/settings/helper-build', async (request): Promise<HelperBuildResponse> =>
    helper.remove(adminActor(request), request.ip),
  );
}

/** The entity tags an If-None-Match header lists. */
function listedTags(header: string | undefined): string[] {
  return (header ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
}

/**
 * Registers the helper download on the device listener, `/downloads/tsunagu-helper.<dmg|pkg|zip>`: the same for
 * everyone (it is not secret), streamed from disk, as an attachment, with its SHA-256 as ETag.
 */
export async function helperDownloadRoutes(app: FastifyInstance, opts: { helper: HelperBuildService }): Promise<void> {
  const { helper } = opts;
  for (const kind of HELPER_FILE_KINDS)
    app.get(`/downloads/${servedName(kind)}`, async (request: FastifyRequest, reply: FastifyReply) => {
      const file = await helper.file(kind);
      // Opened before the answer starts: a build replaced in the meantime is not found, not a broken download.
      const handle = file ? await open(file.path).catch(() => null) : null;
      if (!file || !handle) return jsonNotFound(request, reply);
      const etag = `"${file.sha256}"`;
      void reply.header('etag', etag).header('cache-control', 'no-cache');
      const tags = listedTags(request.headers['if-none-match']);
      if (tags.includes(etag) || tags.includes('*')) {
        await handle.close();
        return reply.code(304).send();
      }
      const { size } = await handle.stat();
      void reply
        .type(file.contentType)
        .header('content-length', size)
        .header('content-disposition', `attachment; filename="${file.servedName}"`);
      // HEAD gets the headers without the file being read (an empty stream: with no body at all, Fastify's HEAD
      // handling would reset the length to 0).
      if (request.method === 'HEAD') {
        await handle.close();
        return reply.send(Readable.from([]));
      }
      return reply.send(handle.createReadStream());
    });
}
