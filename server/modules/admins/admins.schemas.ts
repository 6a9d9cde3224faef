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
