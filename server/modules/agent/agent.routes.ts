import type { FastifyInstance } from 'fastify';
import { bearerToken } from '../../http/auth.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AgentCheckInRequest, AgentConfigurationReport, AgentEnrollRequest } from '../../contract/agent.js';
import type { CaService } from '../ca/ca.service.js';
import {
  AgentCheckInResponseSchema,
  AgentConfigurationReportResponseSchema,
  AgentConfigurationsResponseSchema,
  AgentEnrollResponseSchema,
  AgentTokenRotateResponseSchema,
} from './agent-responses.js';
import {
  AGENT_BODY_LIMIT,
  AgentCheckInSchema,
  AgentConfigurationReportSchema,
  AgentEnrollSchema,
  AgentTokenRotateSchema,
} from './agent.schemas.js';
import type { AgentService } from './agent.service.js';

/**
 * Registers the Android agent API, /agent/v1 (JSON over the HTTPS device listener; docs/agent-api.md). Answers are
 * written with the published response schemas, so they cannot carry a field the document does not describe.
 */
export async function agentRoutes(app: FastifyInstance, opts: { agent: AgentService; ca: CaService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The agent pins this certificate by the SHA-256 in the enrollment QR code before it trusts the connection.
  r.get('/agent/v1/ca', async (_request, reply) =>
    reply.type('application/x-pem-file').send(opts.ca.caCertificate().pem),
  );
  r.post(
    '/agent/v1/enroll',
    {
      schema: { body: AgentEnrollSchema, response: { 201: AgentEnrollResponseSchema } },
      bodyLimit: AGENT_BODY_LIMIT.enroll,
    },
    async (request, reply) =>
      reply.status(201).send(await opts.agent.enroll(request.body as AgentEnrollRequest, request.ip)),
  );
  r.post(
    '/agent/v1/check-in',
    {
      schema: { body: AgentCheckInSchema, response: { 200: AgentCheckInResponseSchema } },
      bodyLimit: AGENT_BODY_LIMIT.checkIn,
    },
    async (request) => opts.agent.checkIn(bearerToken(request), request.body as AgentCheckInRequest, request.ip),
  );
  r.post(
    '/agent/v1/token/rotate',
    {
      schema: { body: AgentTokenRotateSchema, response: { 200: AgentTokenRotateResponseSchema } },
      bodyLimit: AGENT_BODY_LIMIT.rotate,
      // The usual rotate request has no body at all: validate it as the empty object it stands for.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request) => opts.agent.rotate(bearerToken(request), request.ip),
  );
  // The answer carries Wi-Fi passphrases: no cache may keep it.
  r.get(
    '/agent/v1/configurations',
    { schema: { response: { 200: AgentConfigurationsResponseSchema } } },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(opts.agent.configurations(bearerToken(request), request.ip)),
  );
  r.post(
    '/agent/v1/configurations/report',
    {
      schema: { body: AgentConfigurationReportSchema, response: { 200: AgentConfigurationReportResponseSchema } },
      bodyLimit: AGENT_BODY_LIMIT.report,
    },
    async (request) =>
      opts.agent.reportConfigurations(bearerToken(request), request.body as AgentConfigurationReport, request.ip),
  );
}
