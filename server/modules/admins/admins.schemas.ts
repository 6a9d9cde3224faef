import { Type } from 'typebox';

/** Body of POST /api/setup. */
export const SetupSchema = Type.Object(
  {
    setupToken: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ maxLength: 320 }),
    displayName: Type.String({ maxLength: 400 }),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** Body of POST /api/auth/login. */
export const LoginSchema = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

/** Body of POST /api/admins: no password (or an empty one) generates a temporary one. */
export const AdminCreateSchema = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    displayName: Type.String({ maxLength: 400 }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

/** The `:id` of /api/admins/:id routes. */
export const AdminIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Body of POST /api/auth/password. */
export const PasswordChangeSchema = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** Body of PUT /api/console-access. */
export const ConsoleAccessSchema = Type.Object({ lanAdmin: Type.Boolean() }, { additionalProperties: false });
