import { Type } from 'typebox';

const Attribute = Type.String({ minLength: 1, maxLength: 64 });
const Preset = Type.Union([Type.Literal('openldap'), Type.Literal('active-directory')]);

/** Body of PUT /api/directory (and the optional body of POST /api/directory/test). */
export const DirectorySettingsSchema = Type.Object(
  {
    url: Type.String({ maxLength: 300 }),
    caPem: Type.String({ maxLength: 64 * 1024 }),
    bindDn: Type.String({ maxLength: 1024 }),
    bindPassword: Type.Optional(Type.Union([Type.String({ maxLength: 1024 }), Type.Null()])),
    baseDn: Type.String({ maxLength: 1024 }),
    userFilter: Type.String({ maxLength: 2048 }),
    groupFilter: Type.String({ maxLength: 2048 }),
    preset: Preset,
    mapping: Type.Optional(
      Type.Object(
        {
          uniqueId: Type.Optional(Attribute),
          email: Type.Optional(Attribute),
          displayName: Type.Optional(Attribute),
          login: Type.Optional(Attribute),
          groupMember: Type.Optional(Attribute),
          disabledFlag: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('userAccountControl')])),
        },
        { additionalProperties: false },
      ),
    ),
    syncIntervalMinutes: Type.Integer({ minimum: 0, maximum: 10_080 }),
    maxDisablePercent: Type.Integer({ minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false },
);

/** Body of POST /api/directory/preview and /api/directory/sync. */
export const DirectorySyncSchema = Type.Object(
  {
    link: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 5000 })),
    confirmDisable: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

/** Query of GET /api/directory/runs. */
export const DirectoryRunsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
  { additionalProperties: false },
);
