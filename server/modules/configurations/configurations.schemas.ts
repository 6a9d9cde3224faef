import { Type } from 'typebox';

const Platform = Type.Union([Type.Literal('ios'), Type.Literal('macos'), Type.Literal('android')]);

/**
 * Body of POST /api/configurations and PUT /api/configurations/:id. The settings' fields are checked by the payload
 * builders (configurations/*.ts), which name the wrong field and say what to do; here only their shape and size.
 */
export const ConfigurationInputSchema = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    platforms: Type.Array(Platform, { minItems: 1, maxItems: 3 }),
    macChannel: Type.Optional(Type.Union([Type.Literal('device'), Type.Literal('user')])),
    assignment: Type.Object(
      {
        scope: Type.Union([Type.Literal('everyone'), Type.Literal('users')]),
        userIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000 }),
      },
      { additionalProperties: false },
    ),
    settings: Type.Object(
      {
        kind: Type.Union(
          ['wifi', 'vpn', 'passcode', 'restrictions', 'office-ca', 'identity', 'webclip', 'uploaded'].map((k) =>
            Type.Literal(k),
          ),
        ),
      },
      { additionalProperties: true, maxProperties: 200 },
    ),
  },
  { additionalProperties: false },
);

/** A configuration's id in the path. */
export const ConfigurationIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
