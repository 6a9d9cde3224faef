import { Type } from 'typebox';

const ActorType = Type.Union([
  Type.Literal('admin'),
  Type.Literal('user'),
  Type.Literal('device'),
  Type.Literal('system'),
]);

const filters = {
  from: Type.Optional(Type.String({ maxLength: 40 })),
  to: Type.Optional(Type.String({ maxLength: 40 })),
  action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z0-9_.]+$' })),
  actorType: Type.Optional(ActorType),
  actor: Type.Optional(Type.String({ maxLength: 320 })),
  subject: Type.Optional(Type.String({ maxLength: 320 })),
};

/** Query of GET /api/audit. */
export const AuditListQuery = Type.Object(
  {
    ...filters,
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

/** Query of GET /api/audit/export. */
export const AuditExportQuery = Type.Object(
  { ...filters, format: Type.Union([Type.Literal('jsonl'), Type.Literal('csv')]) },
  { additionalProperties: false },
);
