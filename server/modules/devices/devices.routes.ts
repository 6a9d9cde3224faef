import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { CommandRequest, DeviceActionRequest, DeviceListQuery } from '../../contract/devices.js';
import { adminActor } from '../../http/auth.js';
import type { DeviceActionsService } from './device-actions.service.js';
import type { AgentChannel, AppleChannel, PushNow } from './device-channels.js';
import type { DevicesService } from './devices.service.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
// An ISO 8601 time (UTC or with an offset), as the stored times are written.
const IsoTime = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?)?$',
});
const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(['pending', 'active', 'inactive', 'wiped', 'reset'].map((s) => Type.Literal(s)))),
    platform: Type.Optional(Type.Union(['ios', 'macos', 'android'].map((s) => Type.Literal(s)))),
    userId: Type.Optional(Type.String({ maxLength: 64 })),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    seenFrom: Type.Optional(IsoTime),
    seenBefore: Type.Optional(IsoTime),
    sort: Type.Optional(Type.Union(['lastSeen', 'name', 'enrolled'].map((s) => Type.Literal(s)))),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    cursor: Type.Optional(Type.String({ maxLength: 600 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    // Offset paging costs what it skips; keyset paging (cursor) is the way through a long list.
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  { additionalProperties: false },
);
const Pin = Type.String({ maxLength: 16 });
// 'device' or a Mac user's channel, 'user:<UserID>'.
const Channel = Type.Optional(
  Type.String({ minLength: 1, maxLength: 80, pattern: '^(device|user:[A-Za-z0-9-]{1,64})$' }),
);
const CommandBody = Type.Union([
  Type.Object(
    {
      type: Type.Literal('DeviceInformation'),
      channel: Channel,
      queries: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('ProfileList'), channel: Channel, managedOnly: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('InstallProfile'), channel: Channel, payloadBase64: Type.String({ maxLength: 800_000 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('RemoveProfile'), channel: Channel, identifier: Type.String({ maxLength: 255 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('DeviceLock'),
      message: Type.Optional(Type.String({ maxLength: 400 })),
      phoneNumber: Type.Optional(Type.String({ maxLength: 64 })),
      pin: Type.Optional(Pin),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('EraseDevice'), pin: Type.Optional(Pin), preserveDataPlan: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
]);

const Action = Type.Object(
  {
    action: Type.Union([Type.Literal('retire'), Type.Literal('wipe'), Type.Literal('lock'), Type.Literal('delete')]),
    deviceIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 500 }),
    message: Type.Optional(Type.String({ maxLength: 400 })),
    pin: Type.Optional(Pin),
  },
  { additionalProperties: false },
);

/**
 * Registers /api/devices: list, summary, detail, actions (single and bulk), MDM commands and their cancellation,
 * agent actions, push, and the device claims (reassign to a user, dismiss a refused claim).
 */
export async function devicesRoutes(
  app: FastifyInstance,
  opts: {
    devices: DevicesService;
    mdm: AppleChannel;
    pushNow: PushNow;
    actions: DeviceActionsService;
    agent: AgentChannel;
  },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/api/devices', { schema: { querystring: ListQuery } }, async (request) =>
    opts.devices.list(request.query as DeviceListQuery),
  );
  r.get('/api/devices/summary', async () => opts.actions.summary());
  r.post('/api/devices/actions', { schema: { body: Action } }, async (request) =>
    opts.actions.act(request.body as DeviceActionRequest, adminActor(request), request.ip),
  );
  r.get('/api/devices/:id', { schema: { params: Id } }, async (request) => opts.actions.detail(request.params.id));
  r.delete(
    '/api/devices/:id/commands/:uuid',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }), uuid: Type.String({ maxLength: 64 }) }) } },
    async (request) => opts.mdm.cancel(request.params.id, request.params.uuid, adminActor(request), request.ip),
  );
  r.delete(
    '/api/devices/:id/agent-actions/:actionId',
    {
      schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }), actionId: Type.String({ maxLength: 64 }) }) },
    },
    async (request) => opts.agent.cancel(request.params.id, request.params.actionId, adminActor(request), request.ip),
  );
  r.post('/api/devices/:id/reenroll', { schema: { params: Id } }, async (request, reply) =>
    reply.status(201).send(await opts.actions.reenroll(request.params.id, adminActor(request), request.ip)),
  );
  r.post(
    '/api/devices/:id/reassign',
    {
      schema: {
        params: Id,
        body: Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
      },
    },
    async (request) => opts.actions.reassign(request.params.id, request.body.userId, adminActor(request), request.ip),
  );
  r.post(
    '/api/devices/:id/claims/:conflictId/dismiss',
    {
      schema: {
        params: Type.Object({ id: Type.String({ maxLength: 64 }), conflictId: Type.String({ maxLength: 64 }) }),
      },
    },
    async (request) =>
      opts.actions.dismissClaim(request.params.id, request.params.conflictId, adminActor(request), request.ip),
  );
  r.post('/api/devices/:id/agent-token/revoke', { schema: { params: Id } }, async (request) => {
    opts.devices.get(request.params.id);
    return {
      revoked: opts.agent.revokeToken(
        request.params.id,
        'revoked by an administrator',
        adminActor(request),
        request.ip,
      ),
    };
  });
  r.get('/api/devices/:id/commands', { schema: { params: Id } }, async (request) =>
    opts.mdm.commands(request.params.id),
  );
  r.post(
    '/api/devices/:id/commands',
    { schema: { params: Id, body: CommandBody }, bodyLimit: 1024 * 1024 },
    async (request, reply) => {
      const created = opts.mdm.enqueue(
        request.params.id,
        request.body as CommandRequest,
        adminActor(request),
        request.ip,
      );
      return reply.status(201).send(created);
    },
  );
  r.post('/api/devices/:id/push', { schema: { params: Id } }, async (request) => {
    opts.devices.get(request.params.id);
    return { outcomes: await opts.pushNow(request.params.id) };
  });
}
