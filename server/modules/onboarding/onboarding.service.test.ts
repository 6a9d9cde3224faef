import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testFoundation, TEST_ADMIN } from '../../../tests/helpers/foundation.js';
import { createSettingsStore } from '../settings/settings.store.js';
import { createOnboardingStore } from './onboarding.store.js';

describe('onboarding', () => {
  it('reads back only what it can trust from the settings rows', () => {
    const { db, clock } = testFoundation();
    const settings = createSettingsStore(db);
    const at = clock.now().toISOString();
    settings.put('wizard', { step: 'nowhere', skipped: ['ca', 'bogus', 3], finished: 'yes' }, at);
    settings.put('hostnames', ['ok.lan', 7], at);
    settings.put('organization', '   ', at);
    const store = createOnboardingStore(settings);
    expect(store.wizard()).toEqual({ step: 'organization', skipped: ['ca'], finished: false });
    expect(store.hostnames()).toBeNull();
    expect(store.organization()).toBeNull();
  });

  it('the organisation name reaches certificates issued after it is saved, without a restart', () => {
    const { services } = testFoundation();
    expect(services.onboarding.organization()).toBe('Tsunagu');
    services.onboarding.setOrganization('Example Office', TEST_ADMIN, null);
    const tls = services.ca.ensureTlsCredential({ dnsNames: ['new.lan'], ipAddresses: ['127.0.0.1'] });
    expect(new X509Certificate(tls.certPem).subject).toContain('O=Example Office');
    expect(services.audit.list({ action: 'settings.updated', subject: 'organization' }).items).toHaveLength(1);
  });

  it('keeps the skipped steps in wizard order and audits finishing once', () => {
    const { services } = testFoundation();
    const o = services.onboarding;
    o.updateWizard({ skip: 'mail' }, TEST_ADMIN, null);
    o.updateWizard({ skip: 'organization', step: 'tls' }, TEST_ADMIN, null);
    expect(o.wizard()).toEqual({ step: 'tls', skipped: ['organization', 'mail'], finished: false });
    o.updateWizard({ finished: true }, TEST_ADMIN, null);
    o.updateWizard({ finished: true }, TEST_ADMIN, null);
    expect(services.audit.list({ action: 'setup.wizard_finished' }).items).toHaveLength(1);
  });
});
