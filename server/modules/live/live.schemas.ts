import { Type } from 'typebox';

/** Query of GET /api/events: where to resume when the client cannot send Last-Event-ID (a new EventSource). */
export const LiveQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);
