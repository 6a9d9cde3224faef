// The setup wizard's endpoints (/api/setup/*): its state, organisation, host names and their check, CA import, checklist.
import type {
  ChecklistDto,
  HostCheckResultDto,
  HostnamesDto,
  OrganizationDto,
  WizardStateDto,
  WizardStateUpdate,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The setup wizard's endpoints. */
export interface OnboardingApi {
  wizard(): Promise<WizardStateDto>;
  updateWizard(update: WizardStateUpdate): Promise<WizardStateDto>;
  organization(): Promise<OrganizationDto>;
  saveOrganization(name: string): Promise<OrganizationDto>;
  hostnames(): Promise<HostnamesDto>;
  saveHostnames(names: string[]): Promise<HostnamesDto>;
  checkHosts(): Promise<HostCheckResultDto>;
  importCa(input: { certificatePem: string; privateKeyPem: string }): Promise<{ fingerprint256: string; name: string }>;
  checklist(): Promise<ChecklistDto>;
}

/** Builds the setup wizard's endpoints over a client. */
export function createOnboardingApi(client: ApiClient): OnboardingApi {
  return {
    wizard: () => client.get('/api/setup/wizard'),
    updateWizard: (update) => client.put('/api/setup/wizard', update),
    organization: () => client.get('/api/setup/organization'),
    saveOrganization: (name) => client.put('/api/setup/organization', { name }),
    hostnames: () => client.get('/api/setup/hostnames'),
    saveHostnames: (names) => client.put('/api/setup/hostnames', { names }),
    checkHosts: () => client.post('/api/setup/hostnames/check'),
    importCa: (input) => client.put('/api/setup/ca', input),
    checklist: () => client.get('/api/setup/checklist'),
  };
}
