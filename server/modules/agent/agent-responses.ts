import { Type } from 'typebox';

// The agent API's answers, as published in docs/agent-api.schema.json. Objects are closed (no field beyond those
// listed), so the conformance test (agent-responses.test.ts) fails when the server sends a field the document
// does not describe; clients should still ignore fields they do not know, which later versions may add.

const Token = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'Bearer token (opaque): send it as "Authorization: Bearer <token>" and keep it secret',
});

const Interval = Type.Integer({
  minimum: 1,
  description: 'Seconds until the next check-in; use the value from the latest answer',
});

/** The answer to POST /agent/v1/enroll (201). */
export const AgentEnrollResponseSchema = Type.Object(
  {
    deviceId: Type.String({ minLength: 1, maxLength: 64, description: "The device's id on the server" }),
    token: Token,
    status: Type.Union([Type.Literal('pending'), Type.Literal('active')], {
      description: 'pending today: the device becomes active at the check-in that reports adminActive: true',
    }),
    checkInIntervalSeconds: Interval,
  },
  { additionalProperties: false },
);

const Action = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, description: 'Report the result under this id' }),
    type: Type.Union([Type.Literal('lock'), Type.Literal('wipe'), Type.Literal('retire')]),
    params: Type.Object(
      { message: Type.Optional(Type.String({ maxLength: 400, description: "The administrator's message to show" })) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The answer to POST /agent/v1/check-in (200). */
export const AgentCheckInResponseSchema = Type.Object(
  {
    status: Type.Union(
      [
        Type.Literal('pending'),
        Type.Literal('active'),
        Type.Literal('inactive'),
        Type.Literal('wiped'),
        Type.Literal('reset'),
      ],
      { description: "The device's status on the server after this check-in" },
    ),
    actions: Type.Array(Action, {
      description: 'Actions to carry out, oldest first; each comes again until a check-in reports its result',
    }),
    checkInIntervalSeconds: Interval,
    reminder: Type.Union(
      [
        Type.Object(
          { title: Type.String(), message: Type.String() },
          { additionalProperties: false, description: "What the user still has to do, in the user's language" },
        ),
        Type.Null(),
      ],
      { description: 'Set while the device is pending; null otherwise' },
    ),
    stop: Type.Boolean({ description: 'true: the token is revoked; stop checking in' }),
  },
  { additionalProperties: false },
);

/** The answer to POST /agent/v1/token/rotate (200). */
export const AgentTokenRotateResponseSchema = Type.Object({ token: Token }, { additionalProperties: false });

const Steps = Type.Array(Type.String(), { description: 'One step a line, in order' });

/** The answer to GET /agent/v1/configurations (200). */
export const AgentConfigurationsResponseSchema = Type.Object(
  {
    wifi: Type.Array(
      Type.Object(
        {
          configurationId: Type.String({ minLength: 1, maxLength: 64 }),
          version: Type.Integer({ minimum: 1, description: 'Report results under this version' }),
          ssid: Type.String({ minLength: 1, maxLength: 32 }),
          security: Type.Union([Type.Literal('wpa2-personal'), Type.Literal('wpa3-personal')], {
            description: 'WifiNetworkSuggestion.Builder: setWpa2Passphrase or setWpa3Passphrase',
          }),
          passphrase: Type.String({
            minLength: 8,
            maxLength: 64,
            description: '8-63 printable ASCII characters, or 64 hex digits (the key itself)',
          }),
          hidden: Type.Boolean({ description: 'setIsHiddenSsid' }),
          autoJoin: Type.Boolean({ description: 'setIsInitialAutojoinEnabled' }),
        },
        { additionalProperties: false },
      ),
      {
        description:
          'Every network to suggest now; remove a suggestion you hold that is not listed (or listed with a higher version, which replaces it)',
      },
    ),
    officeCa: Type.Object(
      {
        name: Type.String({ description: "The certificate's common name, as Settings shows it" }),
        sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256 of the DER' }),
        downloadUrl: Type.String({
          description: 'The certificate as PEM (GET /agent/v1/ca), for the user to download',
        }),
        pem: Type.String(),
        steps: Type.Object(
          { ja: Steps, en: Steps },
          {
            additionalProperties: false,
            description:
              'How the user installs the office CA in Settings (Android 11 and later let no app do it), by language',
          },
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** The answer to POST /agent/v1/configurations/report (200). */
export const AgentConfigurationReportResponseSchema = Type.Object(
  {
    officeCaInstalled: Type.Boolean({ description: 'The office CA is among the reported certificates' }),
    unknownCaCertificates: Type.Integer({
      minimum: 0,
      description: 'Reported certificates that are not the office CA: the console flags them',
    }),
  },
  { additionalProperties: false },
);

/** The body of every error answer of the agent API. */
export const AgentErrorSchema = Type.Object(
  {
    code: Type.String({
      pattern: '^[A-Z][A-Z0-9_]*$',
      description:
        'Stable error code (docs/agent-api.md lists those of the agent API); act on a code you do not know by the HTTP status',
    }),
    message: Type.String({ description: 'What went wrong, in English, for people; never parse it' }),
    details: Type.Optional(
      Type.Object(
        {
          field: Type.Optional(Type.String({ description: 'The request field that is wrong, e.g. body.auth.pin' })),
          errors: Type.Optional(
            Type.Array(Type.Object({ path: Type.String(), message: Type.String() }, { additionalProperties: false }), {
              description: 'Every validation problem found, the first of which `field` names',
            }),
          ),
          retryAfterSeconds: Type.Optional(
            Type.Integer({ minimum: 1, description: 'SIGN_IN_LOCKED: seconds until sign-in may be tried again' }),
          ),
          secret: Type.Optional(
            Type.Union([Type.Literal('password'), Type.Literal('pin')], {
              description: 'SIGN_IN_FAILED: which secret was checked',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 0, description: "DEVICE_LIMIT: the user's device limit" })),
          count: Type.Optional(Type.Integer({ minimum: 0, description: 'DEVICE_LIMIT: the devices the user has' })),
        },
        { description: 'Facts about the error; which fields appear depends on the code, and others may appear' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Every response schema of the agent API, by its name in the published JSON Schema document. */
export const AGENT_RESPONSE_SCHEMAS = {
  AgentEnrollResponse: AgentEnrollResponseSchema,
  AgentCheckInResponse: AgentCheckInResponseSchema,
  AgentTokenRotateResponse: AgentTokenRotateResponseSchema,
  AgentConfigurationsResponse: AgentConfigurationsResponseSchema,
  AgentConfigurationReportResponse: AgentConfigurationReportResponseSchema,
  AgentError: AgentErrorSchema,
};
