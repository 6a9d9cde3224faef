import { Type } from 'typebox';
import { AGENT_REPORT_LIMITS, type AgentAuth } from '../../contract/agent.js';

const Facts = Type.Object(
  {
    hardwareId: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'Settings.Secure.ANDROID_ID',
    }),
    manufacturer: Type.String({ minLength: 1, maxLength: 64 }),
    model: Type.String({ minLength: 1, maxLength: 64 }),
    osVersion: Type.String({ minLength: 1, maxLength: 32 }),
    apiLevel: Type.Integer({
      minimum: 21,
      maximum: 60,
      description: 'Build.VERSION.SDK_INT; 28 = Android 9, 29 = Android 10',
    }),
    deviceName: Type.Optional(Type.String({ maxLength: 100 })),
    serialNumber: Type.Optional(Type.String({ maxLength: 64 })),
    agentVersion: Type.Optional(Type.String({ maxLength: 32 })),
    adminActive: Type.Optional(
      Type.Boolean({ description: 'The agent holds its device-admin rights; enrollment completes when true' }),
    ),
    batteryLevel: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);

const PasswordAuth = Type.Object(
  {
    method: Type.Literal('password'),
    email: Type.String({ maxLength: 320 }),
    password: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const PinAuth = Type.Object(
  {
    method: Type.Literal('pin'),
    email: Type.String({ maxLength: 320 }),
    pin: Type.String({ maxLength: 12, description: 'The one-time PIN from the invitation email (4-12 digits)' }),
  },
  { additionalProperties: false },
);

const QrAuth = Type.Object(
  {
    method: Type.Literal('qr'),
    token: Type.String({ maxLength: 100, description: 'The token of the enrollment QR code' }),
  },
  { additionalProperties: false },
);

// A tagged union on `method`: the `discriminator` keyword (OpenAPI's, which Ajv understands) makes the validator
// check only the branch the method names, so an error names the field that is wrong for that method; a plain
// union reports the first branch's complaints (a long PIN came back as a missing password). Validators that do
// not know the keyword still validate the same bodies, since each branch allows a single method.
const Auth = Type.Unsafe<AgentAuth>({
  type: 'object',
  required: ['method'],
  discriminator: { propertyName: 'method' },
  oneOf: [PasswordAuth, PinAuth, QrAuth],
});

/**
 * Largest body, in bytes, of each agent request. Every body its schema allows fits, written as compact JSON even
 * with every character of every string escaped as \uXXXX (12 bytes for a character outside the BMP, which
 * maxLength counts as one); agent.schemas.test.ts works the largest body out from the schema and checks it.
 */
export const AGENT_BODY_LIMIT = Object.freeze({
  enroll: 32 * 1024,
  checkIn: 256 * 1024,
  rotate: 1024,
  report: 256 * 1024,
});

const fits = (limit: number) =>
  `The server refuses a body over ${limit} bytes (413 BODY_TOO_LARGE); every body this schema allows fits, written as compact JSON.`;

/** POST /agent/v1/enroll */
export const AgentEnrollSchema = Type.Object(
  { auth: Auth, device: Facts },
  { additionalProperties: false, description: `POST /agent/v1/enroll. ${fits(AGENT_BODY_LIMIT.enroll)}` },
);

/** POST /agent/v1/check-in */
export const AgentCheckInSchema = Type.Object(
  {
    facts: Facts,
    // 50 results with 300-character messages keep the largest check-in under the device listener's 256 KiB.
    results: Type.Optional(
      Type.Array(
        Type.Object(
          {
            actionId: Type.String({ maxLength: 64, description: 'The id of an action from an earlier answer' }),
            status: Type.Union([Type.Literal('done'), Type.Literal('failed')]),
            message: Type.Optional(Type.String({ maxLength: 300 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
  },
  { additionalProperties: false, description: `POST /agent/v1/check-in. ${fits(AGENT_BODY_LIMIT.checkIn)}` },
);

/** POST /agent/v1/token/rotate: no body at all, or this empty object. */
export const AgentTokenRotateSchema = Type.Object(
  {},
  {
    additionalProperties: false,
    description: `POST /agent/v1/token/rotate: send no body, or this empty object. ${fits(AGENT_BODY_LIMIT.rotate)}`,
  },
);

const Sha256 = Type.String({
  minLength: 64,
  maxLength: 64,
  pattern: '^[0-9a-f]{64}$',
  description: 'Lower-case hex SHA-256 of the DER, no colons',
});

/** POST /agent/v1/configurations/report */
export const AgentConfigurationReportSchema = Type.Object(
  {
    results: Type.Array(
      Type.Object(
        {
          configurationId: Type.String({
            minLength: 1,
            maxLength: 64,
            pattern: '^[A-Za-z0-9_-]+$',
            description: 'The configurationId of a Wi-Fi suggestion from GET /agent/v1/configurations',
          }),
          version: Type.Integer({ minimum: 1, maximum: 2147483647 }),
          status: Type.Union([Type.Literal('applied'), Type.Literal('failed'), Type.Literal('removed')], {
            description:
              'applied: the suggestion was added; failed: Android refused it (say why in message); removed: the agent removed a suggestion no longer given',
          }),
          message: Type.Optional(Type.String({ maxLength: 160 })),
        },
        { additionalProperties: false },
      ),
      { maxItems: AGENT_REPORT_LIMITS.results },
    ),
    userCaCertificates: Type.Array(
      Type.Object(
        {
          subject: Type.String({ maxLength: 128, description: 'The subject DN; cut longer ones to 128 characters' }),
          issuer: Type.String({ maxLength: 128, description: 'The issuer DN; cut longer ones to 128 characters' }),
          sha256: Sha256,
          notAfter: Type.String({
            minLength: 10,
            maxLength: 30,
            description: 'The end of validity, ISO 8601 (e.g. 2030-01-31T00:00:00Z)',
          }),
        },
        { additionalProperties: false },
      ),
      {
        maxItems: AGENT_REPORT_LIMITS.certificates,
        description:
          'Every CA certificate the user installed (the user store of AndroidCAStore); this list replaces the last one',
      },
    ),
  },
  {
    additionalProperties: false,
    description: `POST /agent/v1/configurations/report. ${fits(AGENT_BODY_LIMIT.report)}`,
  },
);

/** Every request schema of the agent API, by its name in the published JSON Schema document. */
export const AGENT_REQUEST_SCHEMAS = {
  AgentEnrollRequest: AgentEnrollSchema,
  AgentCheckInRequest: AgentCheckInSchema,
  AgentTokenRotateRequest: AgentTokenRotateSchema,
  AgentConfigurationReport: AgentConfigurationReportSchema,
};
