import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { WIZARD_STEPS } from '../../contract/onboarding.js';
import { adminActor } from '../../http/auth.js';
import { MAX_HOSTNAMES, type OnboardingService } from './onboarding.service.js';

/** Largest CA import body: a certificate and an RSA 4096 key in PEM are about 5 KB. */
export const CA_IMPORT_BODY_LIMIT = 64 * 1024;

const Step = Type.Union(WIZARD_STEPS.map((s) => Type.Literal(s)));

const WizardUpdate = Type.Object(
  {
    step: Type.Optional(Type.Union([Step, Type.Literal('checklist')])),
    skip: Type.Optional(Step),
    unskip: Type.Optional(Step),
    finished: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const CaImport = Type.Object(
  {
    certificatePem: Type.String({ minLength: 1, maxLength: 20_000 }),
    privateKeyPem: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
);

/** Registers /api/setup/*: the setup wizard's state, organisation, host names and their check, CA import, checklist (admins only). */
export async function onboardingRoutes(app: FastifyInstance, opts: { onboarding: OnboardingService }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { onboarding } = opts;
  r.get('/api/setup/wizard', async () => onboarding.wizard());
  r.put('/api/setup/wizard', { schema: { body: WizardUpdate } }, async (request) =>
    onboarding.updateWizard(request.body, adminActor(request), request.ip),
  );
  r.get('/api/setup/organization', async () => ({ name: onboarding.organization() }));
  r.put(
    '/api/setup/organization',
    { schema: { body: Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false }) } },
    async (request) => ({ name: onboarding.setOrganization(request.body.name, adminActor(request), request.ip) }),
  );
  r.get('/api/setup/hostnames', async () => onboarding.hostnames());
  r.put(
    '/api/setup/hostnames',
    {
      schema: {
        body: Type.Object(
          { names: Type.Array(Type.String({ maxLength: 253 }), { maxItems: MAX_HOSTNAMES * 2 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => onboarding.setHostnames(request.body.names, adminActor(request), request.ip),
  );
  r.post('/api/setup/hostnames/check', async () => onboarding.checkHosts());
  r.put('/api/setup/ca', { bodyLimit: CA_IMPORT_BODY_LIMIT, schema: { body: CaImport } }, async (request) =>
    onboarding.importCa(request.body, adminActor(request), request.ip),
  );
  r.get('/api/setup/checklist', async () => onboarding.checklist());
}
