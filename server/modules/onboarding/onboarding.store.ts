import { WIZARD_STEPS, type WizardStateDto, type WizardStep } from '../../contract/onboarding.js';
import type { SettingsStore } from '../settings/settings.store.js';

/** The wizard's state, the organisation name and the saved host names, as settings rows. */
export interface OnboardingStore {
  wizard(): WizardStateDto;
  putWizard(state: WizardStateDto, at: string): void;
  /** The saved organisation name; null before one is saved. */
  organization(): string | null;
  putOrganization(name: string, at: string): void;
  /** The host names saved in the console; null before any are saved. */
  hostnames(): string[] | null;
  putHostnames(names: string[], at: string): void;
}

const isStep = (v: unknown): v is WizardStep =>
  typeof v === 'string' && (WIZARD_STEPS as readonly string[]).includes(v);

/** Builds the onboarding store over the settings store; what it reads back is checked, never trusted. */
export function createOnboardingStore(settings: SettingsStore): OnboardingStore {
  return {
    wizard() {
      const raw = settings.get('wizard') as Partial<WizardStateDto> | undefined;
      const step = raw?.step === 'checklist' || isStep(raw?.step) ? raw.step : 'organization';
      const skipped = Array.isArray(raw?.skipped) ? raw.skipped.filter(isStep) : [];
      return { step, skipped, finished: raw?.finished === true };
    },
    putWizard: (state, at) => settings.put('wizard', state, at),
    organization() {
      const raw = settings.get('organization');
      return typeof raw === 'string' && raw.trim() ? raw : null;
    },
    putOrganization: (name, at) => settings.put('organization', name, at),
    hostnames() {
      const raw = settings.get('hostnames');
      return Array.isArray(raw) && raw.every((n) => typeof n === 'string') ? (raw as string[]) : null;
    },
    putHostnames: (names, at) => settings.put('hostnames', names, at),
  };
}
