import { Type } from 'typebox';
import { MAX_BULK } from './users.limits.js';

const Locale = Type.Union([Type.Literal('ja'), Type.Literal('en')]);
// Lengths here only bound the input; the service gives the precise, readable reasons.
const Email = Type.String({ maxLength: 320 });
const DisplayName = Type.String({ maxLength: 400 });
const Password = Type.String({ maxLength: 1024 });

/** Body of POST /api/users. */
export const UserCreateSchema = Type.Object(
  {
    email: Email,
    displayName: DisplayName,
    locale: Type.Optional(Locale),
    password: Type.Optional(Password),
    temporaryPassword: Type.Optional(Type.Boolean()),
    sendInvitation: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Body of PATCH /api/users/:id. */
export const UserUpdateSchema = Type.Object(
  {
    email: Type.Optional(Email),
    displayName: Type.Optional(DisplayName),
    locale: Type.Optional(Locale),
    password: Type.Optional(Type.Union([Password, Type.Null()])),
    temporaryPassword: Type.Optional(Type.Boolean()),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Body of POST /api/users/batch. */
export const UserBatchSchema = Type.Object(
  { users: Type.Array(UserCreateSchema, { minItems: 1, maxItems: 5000 }) },
  { additionalProperties: false },
);

/** Query of GET /api/users. */
export const UserListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 600 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    /** Local users only, or directory users only. */
    source: Type.Optional(Type.Union([Type.Literal('local'), Type.Literal('ldap')])),
  },
  { additionalProperties: false },
);

/** Query of POST /api/users/import; `sendInvitations` emails every imported user an invitation once all are added. */
export const UserImportQuery = Type.Object(
  { fileName: Type.Optional(Type.String({ maxLength: 255 })), sendInvitations: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

/** Body of POST /api/users/bulk: one action on up to MAX_BULK users. */
export const UserBulkSchema = Type.Object(
  {
    action: Type.Union([Type.Literal('disable'), Type.Literal('enable'), Type.Literal('delete')]),
    ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: MAX_BULK }),
  },
  { additionalProperties: false },
);

/** Path parameters naming one user. */
export const UserIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
