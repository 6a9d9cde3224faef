import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AgentCheckInRequest, AgentEnrollRequest } from '../../contract/agent.js';
import type { CaService } from '../ca/ca.service.js';
import { AgentCheckInSchema, AgentEnrollSchema } from './agent.schemas.js';
import type { AgentService } from './agent.service.js';

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** Registers the Android agent API, /agent/v1 (JSON over the HTTPS device listener; docs/agent-api.md). */
export async function agentRoutes(app: FastifyInstance, opts: { agent: AgentService; ca: CaService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The agent pins this certificate by the SHA-256 in the enrollment QR code before it trusts the connection.
  r.get('/agent/v1/ca', async (_request, reply) =>
    reply.type('application/x-pem-file').send(opts.ca.caCertificate().pem),
  );
  r.post('/agent/v1/enroll', { schema: { body: AgentEnrollSchema }, bodyLimit: 16 * 1024 }, async (request, reply) =>
    reply.status(201).send(await opts.agent.enroll(request.body as AgentEnrollRequest, request.ip)),
  );
  r.post('/agent/v1/check-in', { schema: { body: AgentCheckInSchema }, bodyLimit: 64 * 1024 }, async (request) =>
    opts.agent.checkIn(bearer(request), request.body as AgentCheckInRequest, request.ip),
  );
  r.post('/agent/v1/token/rotate', async (request) => opts.agent.rotate(bearer(request), request.ip));
}
