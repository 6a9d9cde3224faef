// The setup wizard: where it is (kept on the server, so it resumes), the organisation name, host names and their
// check, the office CA import, and the closing checklist.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import {
  WIZARD_STEPS,
  type ChecklistDto,
  type HostCheckResultDto,
  type HostnamesDto,
  type WizardStateDto,
  type WizardStep,
} from '../../server/contract/onboarding.js';
import { useApi } from '../api/index.js';

/** Every page of the wizard: the steps, then the checklist. */
export const WIZARD_PAGES = [...WIZARD_STEPS, 'checklist'] as const;

/** One page of the wizard. */
export type WizardPage = (typeof WIZARD_PAGES)[number];

/** Whether `value` names a page of the wizard (a `?step=` from a checklist link). */
export function isWizardPage(value: unknown): value is WizardPage {
  return typeof value === 'string' && (WIZARD_PAGES as readonly string[]).includes(value);
}

/** The page after `page` (the checklist stays). */
export function nextPage(page: WizardPage): WizardPage {
  return WIZARD_PAGES[Math.min(WIZARD_PAGES.indexOf(page) + 1, WIZARD_PAGES.length - 1)] as WizardPage;
}

/** The page before `page` (the first stays). */
export function previousPage(page: WizardPage): WizardPage {
  return WIZARD_PAGES[Math.max(WIZARD_PAGES.indexOf(page) - 1, 0)] as WizardPage;
}

/** The setup wizard's store. */
export const useOnboardingStore = defineStore('onboarding', () => {
  const api = useApi().onboarding;
  const state = ref<WizardStateDto | null>(null);
  const organization = ref('');
  const hostnames = ref<HostnamesDto | null>(null);
  const hostCheck = ref<HostCheckResultDto | null>(null);
  const checklist = ref<ChecklistDto | null>(null);

  async function load(): Promise<void> {
    const [s, org, hosts] = await Promise.all([api.wizard(), api.organization(), api.hostnames()]);
    state.value = s;
    organization.value = org.name;
    hostnames.value = hosts;
  }

  /** Goes to `page`; `skipping` marks the page left as skipped, else it is no longer skipped. */
  async function go(page: WizardPage, left?: { step: WizardPage; skipped: boolean }): Promise<void> {
    const leftStep = left && left.step !== 'checklist' ? (left.step as WizardStep) : null;
    state.value = await api.updateWizard({
      step: page,
      ...(leftStep ? (left?.skipped ? { skip: leftStep } : { unskip: leftStep }) : {}),
    });
  }

  async function finish(): Promise<void> {
    state.value = await api.updateWizard({ step: 'checklist', finished: true });
  }

  async function saveOrganization(name: string): Promise<void> {
    organization.value = (await api.saveOrganization(name)).name;
  }

  async function saveHostnames(names: string[]): Promise<void> {
    hostnames.value = await api.saveHostnames(names);
    hostCheck.value = null;
  }

  async function checkHosts(): Promise<HostCheckResultDto> {
    hostCheck.value = await api.checkHosts();
    return hostCheck.value;
  }

  async function importCa(input: { certificatePem: string; privateKeyPem: string }) {
    return api.importCa(input);
  }

  async function loadChecklist(): Promise<ChecklistDto> {
    checklist.value = await api.checklist();
    return checklist.value;
  }

  return {
    state,
    organization,
    hostnames,
    hostCheck,
    checklist,
    load,
    go,
    finish,
    saveOrganization,
    saveHostnames,
    checkHosts,
    importCa,
    loadChecklist,
  };
});
