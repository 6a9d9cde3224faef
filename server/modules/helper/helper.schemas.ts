import { Type } from 'typebox';
import type { HelperSignInRequest } from '../../contract/helper-api.js';

/** Largest body the helper API takes: a sign-in is the only request with one, and it fits many times over. */
export const HELPER_BODY_LIMIT = 4 * 1024;

const Email = Type.String({ minLength: 1, maxLength: 320, description: 'The address the invitation was sent to' });

const PasswordSignIn = Type.Object(
  { method: Type.Literal('password'), email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

const PinSignIn = Type.Object(
  {
    method: Type.Literal('pin'),
    email: Email,
    pin: Type.String({ pattern: '^[0-9]{4,12}$', description: 'The one-time PIN from the invitation email' }),
    newPassword: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'The password the user chooses; checked against the password rule before the PIN is used',
    }),
  },
  { additionalProperties: false },
);

const TokenSignIn = Type.Object(
  {
    method: Type.Literal('token'),
    token: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'The single-use token of the tsunagu://enroll link the portal wrote (10 minutes)',
    }),
  },
  { additionalProperties: false },
);

/** POST /helper/v1/sessions: a union tagged by `method` (see the agent API's note on the discriminator keyword). */
export const HelperSignInSchema = Type.Unsafe<HelperSignInRequest>({
  type: 'object',
  required: ['method'],
  properties: { method: { type: 'string', enum: ['password', 'pin', 'token'] } },
  discriminator: { propertyName: 'method' },
  oneOf: [PasswordSignIn, PinSignIn, TokenSignIn],
  description: `POST /helper/v1/sessions. The server refuses a body over ${HELPER_BODY_LIMIT} bytes (413 BODY_TOO_LARGE).`,
});

/** Path parameters naming one enrollment. */
export const HelperEnrollmentParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

const IsoTime = Type.String({ format: 'date-time' });
const EnrollmentState = Type.Union([Type.Literal('pending'), Type.Literal('enrolled'), Type.Literal('closed')]);

/** GET /helper/v1/server */
export const HelperServerInfoSchema = Type.Object(
  {
    api: Type.Literal(1),
    organisation: Type.String(),
    server: Type.String({ description: 'The device listener HTTPS origin' }),
    caSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    minimumMacos: Type.String(),
    portalUrl: Type.String(),
  },
  { additionalProperties: false, description: 'GET /helper/v1/server, answered 200.' },
);

/** 201 of POST /helper/v1/sessions */
export const HelperSessionSchema = Type.Object(
  {
    token: Type.String({ description: 'Send as Authorization: Bearer <token>' }),
    expiresAt: IsoTime,
    user: Type.Object({ email: Type.String(), displayName: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false, description: 'POST /helper/v1/sessions, answered 201.' },
);

/** 201 of POST /helper/v1/enrollments */
export const HelperEnrollmentSchema = Type.Object(
  { enrollmentId: Type.String(), status: EnrollmentState, expiresAt: IsoTime },
  { additionalProperties: false, description: 'POST /helper/v1/enrollments (no body), answered 201.' },
);

/** 200 of POST /helper/v1/enrollments/:id/profile */
export const HelperProfileSchema = Type.Object(
  {
    enrollmentId: Type.String(),
    expiresAt: IsoTime,
    validSeconds: Type.Integer({
      minimum: 0,
      description: 'Seconds until expiresAt by the server clock; count down from this, not from the Mac clock',
    }),
    fileName: Type.String({ pattern: '^[A-Za-z0-9._-]+\\.mobileconfig$' }),
    profile: Type.String({ contentEncoding: 'base64', description: 'The signed profile (DER CMS)' }),
  },
  {
    additionalProperties: false,
    description: 'POST /helper/v1/enrollments/{id}/profile (no body), answered 200; voids the previous profile.',
  },
);

/** 200 of GET /helper/v1/enrollments/:id */
export const HelperEnrollmentStatusSchema = Type.Object(
  {
    enrollmentId: Type.String(),
    status: EnrollmentState,
    tokenUpdateSeen: Type.Boolean(),
    profile: Type.Object(
      {
        state: Type.Union([
          Type.Literal('none'),
          Type.Literal('valid'),
          Type.Literal('expired'),
          Type.Literal('used'),
          Type.Literal('enrolled'),
        ]),
        expiresAt: Type.Union([IsoTime, Type.Null()]),
        secondsLeft: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'GET /helper/v1/enrollments/{id}, answered 200.' },
);

/** Every error answer of the helper API. */
export const HelperErrorSchema = Type.Object(
  {
    code: Type.String({ description: 'A stable code, e.g. SIGN_IN_FAILED, PIN_EXPIRED, LINK_OUTDATED, AUTH_REQUIRED' }),
    message: Type.String({ description: 'What was wrong and what to do, in English' }),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { description: 'Every error answer.' },
);

/** Every schema of the helper API, by its name in the published JSON Schema document. */
export const HELPER_API_SCHEMAS = {
  HelperSignInRequest: HelperSignInSchema,
  HelperServerInfo: HelperServerInfoSchema,
  HelperSession: HelperSessionSchema,
  HelperEnrollment: HelperEnrollmentSchema,
  HelperProfile: HelperProfileSchema,
  HelperEnrollmentStatus: HelperEnrollmentStatusSchema,
  HelperError: HelperErrorSchema,
};
