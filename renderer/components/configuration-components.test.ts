// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import type {
  ConfigurationDto,
  ConfigurationInput,
  DeviceConfigurationDto,
  DeviceDetailDto,
  RestrictionOptionDto,
} from '../../server/contract/index.js';
import { API_KEY, ApiError, type Api } from '../api/index.js';
import { createTestI18n } from '../test-support/i18n.js';
import ConfigurationFormDialog from './ConfigurationFormDialog.vue';
import DeviceConfigurations from './DeviceConfigurations.vue';

const RESTRICTIONS: RestrictionOptionDto[] = [
  { key: 'allowCamera', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowScreenShot', default: true, ios: 'yes', macos: 'yes' },
  { key: 'forceEncryptedBackup', default: false, ios: 'yes', macos: 'no' },
  { key: 'allowAirDrop', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowContentCaching', default: true, ios: 'no', macos: 'yes' },
];

function configuration(extra: Partial<ConfigurationDto>): ConfigurationDto {
  return {
    id: 'c1',
    name: 'Office Wi-Fi',
    description: null,
    kind: 'wifi',
    platforms: ['ios', 'macos'],
    macChannel: 'device',
    assignment: { scope: 'everyone', userIds: [], users: [] },
    version: 3,
    settings: { kind: 'wifi', ssid: 'office', security: 'wpa2-personal', hasPassword: true },
    counts: { pending: 1, installed: 2, failed: 0, removing: 0 },
    createdAt: '2026-04-01T00:00:00.000Z',
    updatedAt: '2026-04-02T00:00:00.000Z',
    updatedBy: 'admin@example.com',
    ...extra,
  };
}

function mountForm(props: { configuration?: ConfigurationDto | null; error?: unknown; locale?: 'en' | 'ja' } = {}) {
  return mount(ConfigurationFormDialog, {
    props: {
      open: true,
      configuration: props.configuration ?? null,
      restrictions: RESTRICTIONS,
      busy: false,
      phone: false,
      error: props.error ?? null,
      userOptions: [],
      searching: false,
    },
    global: { plugins: [createTestI18n(props.locale ?? 'en')] },
    attachTo: document.body,
  });
}

const q = <T extends Element = HTMLElement>(selector: string) => document.querySelector(selector) as T | null;
const testId = (id: string) => q(`[data-testid="${id}"]`);

async function type(id: string, value: string): Promise<void> {
  const el = q<HTMLInputElement | HTMLTextAreaElement>(
    `input[data-testid="${id}"], textarea[data-testid="${id}"], [data-testid="${id}"] input`,
  );
  if (!el) throw new Error(`no field ${id}`);
  el.value = value;
  el.dispatchEvent(new Event('input'));
  await nextTick();
}

async function click(selector: string): Promise<void> {
  const el = q(selector);
  if (!el) throw new Error(`nothing at ${selector}`);
  el.click();
  await nextTick();
}

async function submit(): Promise<void> {
  await click('[data-testid="configuration-submit"]');
}

function sent(wrapper: ReturnType<typeof mountForm>): ConfigurationInput | undefined {
  return wrapper.emitted('submit')?.at(-1)?.[0] as ConfigurationInput | undefined;
}

/**
 * The error text element-plus shows under the form item that holds `id`. It renders it a little after the change,
 * so this waits up to half a second for one to appear ('' when none does).
 */
async function errorBeside(id: string): Promise<string> {
  let text = '';
  for (let i = 0; i < 50 && !text; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    text = testId(id)?.closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim() ?? '';
  }
  return text;
}

afterEach(() => {
  document.body.innerHTML = '';
});

describe('ConfigurationFormDialog', () => {
  it('sends a Personal Wi-Fi with its password, for everyone, after the same checks the server makes', async () => {
    const wrapper = mountForm();
    await nextTick();
    await submit();
    expect(wrapper.emitted('submit')).toBeUndefined();
    expect(await errorBeside('configuration-name')).toBe('This field is required.');
    expect(await errorBeside('wifi-ssid')).toBe('This field is required.');

    await type('configuration-name', 'Office Wi-Fi');
    await type('wifi-ssid', 'office-net');
    await type('wifi-password', 'short');
    await submit();
    expect(wrapper.emitted('submit')).toBeUndefined();
    expect(await errorBeside('wifi-password')).toContain('8 to 63 characters');

    await type('wifi-password', 'correct horse battery');
    await click('[data-testid="platform-android"] input');
    await submit();
    expect(sent(wrapper)).toEqual({
      name: 'Office Wi-Fi',
      platforms: ['ios', 'macos', 'android'],
      macChannel: 'device',
      assignment: { scope: 'everyone', userIds: [] },
      settings: {
        kind: 'wifi',
        ssid: 'office-net',
        security: 'wpa2-personal',
        password: 'correct horse battery',
        hidden: false,
        autoJoin: true,
      },
    });
    wrapper.unmount();
  });

  it('never shows a stored Wi-Fi password: the field is empty, says it is kept, and an untouched edit sends none', async () => {
    const wrapper = mountForm({ configuration: configuration({}) });
    await nextTick();
    const password = q<HTMLInputElement>('input[data-testid="wifi-password"]');
    expect(password?.value).toBe('');
    expect(password?.placeholder).toBe('Stored: leave empty to keep');
    expect(testId('configuration-kind-fixed')?.textContent).toContain('Wi-Fi');
    await submit();
    const input = sent(wrapper);
    expect(input?.settings).toEqual({
      kind: 'wifi',
      ssid: 'office',
      security: 'wpa2-personal',
      hidden: false,
      autoJoin: true,
    });
    expect(JSON.stringify(input)).not.toContain('password');
    // A new one replaces it.
    await type('wifi-password', '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    await submit();
    expect(sent(wrapper)?.settings).toMatchObject({
      password: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    });
    wrapper.unmount();
  });

  it('Enterprise Wi-Fi: says devices get a certificate from the office CA, takes no password, no Android', async () => {
    const wrapper = mountForm({
      configuration: configuration({
        settings: {
          kind: 'wifi',
          ssid: 'corp',
          security: 'wpa3-enterprise',
          hasPassword: false,
          trustedServerNames: ['radius.example.com'],
        },
      }),
    });
    await nextTick();
    expect(testId('wifi-enterprise-note')?.textContent).toContain('identity certificate from the office CA');
    expect(q('input[data-testid="wifi-password"]')).toBeNull();
    expect(q<HTMLInputElement>('[data-testid="platform-android"] input')?.disabled).toBe(true);
    await type('wifi-server-names', 'radius.example.com\n*.com');
    await submit();
    expect(wrapper.emitted('submit')).toBeUndefined();
    expect(await errorBeside('wifi-server-names')).toContain('a * only before the last two labels');
    await type('wifi-server-names', 'radius.example.com\nradius2.example.com');
    await submit();
    expect(sent(wrapper)?.settings).toEqual({
      kind: 'wifi',
      ssid: 'corp',
      security: 'wpa3-enterprise',
      hidden: false,
      autoJoin: true,
      trustedServerNames: ['radius.example.com', 'radius2.example.com'],
    });
    wrapper.unmount();
  });

  it.each([
    ['ssid', 'wifi-ssid', 'This value is too long or too short.'],
    ['settings.password', 'wifi-password', 'This is not in the expected form.'],
    ['platforms', 'configuration-platforms', 'This value is not allowed here.'],
    ['assignment.userIds', 'configuration-scope', 'This value is not allowed here.'],
  ])('shows a server error on %s beside its field, and the server’s words above', async (field, id, words) => {
    const reason = { ssid: 'length', 'settings.password': 'format' }[field] ?? 'not-allowed';
    const error = new ApiError('CONFIGURATION_INVALID', 'The exact words of the server.', 400, { field, reason });
    const wrapper = mountForm({ configuration: configuration({}), error });
    await nextTick();
    expect(await errorBeside(id)).toBe(words);
    expect(testId('configuration-error')?.textContent).toContain('The exact words of the server.');
    wrapper.unmount();
  });

  it('VPN with a shared secret: stored secret kept unless retyped; certificate sign-in sends no secret', async () => {
    const vpn = configuration({
      kind: 'vpn',
      settings: {
        kind: 'vpn',
        name: 'Office VPN',
        remoteAddress: 'vpn.example.com',
        remoteIdentifier: 'vpn.example.com',
        localIdentifier: 'device',
        auth: 'shared-secret',
        hasSharedSecret: true,
      },
    });
    const wrapper = mountForm({ configuration: vpn });
    await nextTick();
    expect(q<HTMLInputElement>('input[data-testid="vpn-shared-secret"]')?.value).toBe('');
    await submit();
    expect(sent(wrapper)?.settings).toEqual({
      kind: 'vpn',
      name: 'Office VPN',
      remoteAddress: 'vpn.example.com',
      remoteIdentifier: 'vpn.example.com',
      localIdentifier: 'device',
      auth: 'shared-secret',
    });
    await type('vpn-shared-secret', 'seven77');
    await submit();
    expect(wrapper.emitted('submit')).toHaveLength(1);
    expect(await errorBeside('vpn-shared-secret')).toBe('Use 8 to 255 characters.');
    await type('vpn-remote-address', 'not a host');
    expect(await errorBeside('vpn-remote-address')).toContain('IP address');
    wrapper.unmount();
  });

  it('a new VPN, passcode policy: picks the kind and sends only the numbers that were set', async () => {
    const wrapper = mountForm();
    await nextTick();
    await click('[data-testid="kind-passcode"] input');
    expect(testId('settings-passcode')).not.toBeNull();
    await type('configuration-name', 'Passcode');
    await type('passcode-minLength', '6');
    q('[data-testid="passcode-minLength"] input')?.dispatchEvent(new Event('change'));
    await nextTick();
    await submit();
    expect(sent(wrapper)?.settings).toEqual({
      kind: 'passcode',
      requirePasscode: true,
      allowSimple: true,
      requireAlphanumeric: false,
      minLength: 6,
    });
    wrapper.unmount();
  });

  it('restrictions: offers only what works unsupervised on the chosen platforms, and says why the rest is not', async () => {
    const wrapper = mountForm();
    await nextTick();
    await click('[data-testid="kind-restrictions"] input');
    expect(testId('restrictions-note')?.textContent).toContain('not supervised');
    const offered = [
      ...document.querySelectorAll('[data-testid="restriction-list"] [data-testid^="restriction-"]'),
    ].map((e) => e.getAttribute('data-testid'));
    // iPhone/iPad and Mac: AirDrop needs supervision on iOS; content caching and encrypted backups exist on one only
    // but work there, so they stay.
    expect(offered).toEqual([
      'restriction-allowCamera',
      'restriction-allowScreenShot',
      'restriction-forceEncryptedBackup',
      'restriction-allowContentCaching',
    ]);
    const supervised = testId('restrictions-supervised');
    expect(supervised?.textContent).toContain('Block AirDrop');
    expect(supervised?.textContent).toContain('supervised devices');
    expect(supervised?.querySelector('input')?.disabled).toBe(true);
    await type('configuration-name', 'Lockdown');
    await submit();
    expect(await errorBeside('restriction-list')).toBe('Choose at least one restriction.');
    await click('[data-testid="restriction-allowCamera"] input');
    await click('[data-testid="restriction-forceEncryptedBackup"] input');
    await submit();
    expect(sent(wrapper)?.settings).toEqual({
      kind: 'restrictions',
      values: { allowCamera: false, forceEncryptedBackup: true },
    });
    // Mac only: AirDrop works there; encrypted backups (chosen, iPhone and iPad only) stay listed to be taken off.
    await click('[data-testid="platform-ios"] input');
    expect(testId('restriction-allowAirDrop')).not.toBeNull();
    expect(testId('restriction-forceEncryptedBackup')?.closest('li')?.textContent).toContain(
      'Not for the chosen platforms',
    );
    await click('[data-testid="restriction-forceEncryptedBackup"] input');
    expect(testId('restriction-forceEncryptedBackup')).toBeNull();
    await click('[data-testid="restriction-allowAirDrop"] input');
    await submit();
    expect(sent(wrapper)).toMatchObject({
      platforms: ['macos'],
      settings: { kind: 'restrictions', values: { allowCamera: false, allowAirDrop: false } },
    });
    wrapper.unmount();
  });

  it('shows a supervision refusal from the server on the restrictions, naming the keys', async () => {
    const error = new ApiError('CONFIGURATION_SUPERVISION_REQUIRED', 'allowAirDrop works only on supervised.', 400, {
      keys: ['allowAirDrop'],
    });
    const wrapper = mountForm({
      configuration: configuration({
        kind: 'restrictions',
        platforms: ['macos'],
        settings: { kind: 'restrictions', values: { allowAirDrop: false } },
      }),
      error,
    });
    await nextTick();
    expect(await errorBeside('restriction-list')).toBe('Only for supervised devices: allowAirDrop. Remove them.');
    wrapper.unmount();
  });

  it('web clip: https only; a PNG icon is sent as base64, anything else is refused beside the field', async () => {
    const wrapper = mountForm();
    await nextTick();
    await click('[data-testid="kind-webclip"] input');
    await type('configuration-name', 'Intranet');
    await type('webclip-url', 'http://intranet.example.com');
    await type('webclip-label', 'Intranet');
    await submit();
    expect(await errorBeside('webclip-url')).toContain('https://');
    await type('webclip-url', 'https://intranet.example.com/');

    const png = new Uint8Array(40);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const pick = async (bytes: Uint8Array<ArrayBuffer>, name: string) => {
      const input = q<HTMLInputElement>('input[data-testid="webclip-icon-file"]') as HTMLInputElement;
      Object.defineProperty(input, 'files', { value: [new File([bytes], name)], configurable: true });
      input.dispatchEvent(new Event('change'));
      await vi.waitFor(() => expect(document.body.textContent).toContain(name === 'icon.png' ? name : 'not a PNG'));
    };
    await pick(new TextEncoder().encode('GIF89a not a png at all, really not at all'), 'icon.gif');
    expect(await errorBeside('webclip-icon-choose')).toContain('not a PNG');
    await pick(png, 'icon.png');
    expect(await errorBeside('webclip-icon-choose')).toBe('');
    expect(testId('webclip-icon-preview')?.getAttribute('alt')).toBe('The web clip’s icon');
    await submit();
    const input = sent(wrapper);
    expect(input?.macChannel).toBe('user');
    expect(input?.settings).toEqual({
      kind: 'webclip',
      url: 'https://intranet.example.com/',
      label: 'Intranet',
      removable: true,
      fullScreen: false,
      iconBase64: btoa(String.fromCharCode(...png)),
    });
    wrapper.unmount();
  });

  it('uploaded profile: the file goes as base64; an edit without a new file keeps the stored one', async () => {
    const wrapper = mountForm({ locale: 'ja' });
    await nextTick();
    await click('[data-testid="kind-uploaded"] input');
    await type('configuration-name', '独自プロファイル');
    await submit();
    expect(await errorBeside('uploaded-profile-choose')).toBe('.mobileconfig ファイルを選んでください。');
    const xml = '<?xml version="1.0"?><plist><dict/></plist>';
    const input = q<HTMLInputElement>('input[data-testid="uploaded-profile-file"]') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [new File([xml], 'a.mobileconfig')] });
    input.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(document.body.textContent).toContain('a.mobileconfig'));
    await submit();
    expect(sent(wrapper)?.settings).toEqual({ kind: 'uploaded', profileBase64: btoa(xml) });
    wrapper.unmount();

    const edit = mountForm({
      configuration: configuration({
        kind: 'uploaded',
        settings: {
          kind: 'uploaded',
          displayName: 'Printers',
          identifier: 'com.example.printers',
          wasSigned: true,
          payloads: [{ type: 'com.apple.airprint', identifier: 'com.example.p1', displayName: 'Floor 2' }],
        },
      }),
    });
    await nextTick();
    expect(testId('uploaded-summary')?.textContent).toContain('Floor 2');
    await submit();
    expect(sent(edit)?.settings).toEqual({ kind: 'uploaded' });
    edit.unmount();
  });

  it('chosen users: needs at least one, and sends their ids', async () => {
    const wrapper = mountForm({
      configuration: configuration({
        assignment: {
          scope: 'users',
          userIds: ['u1'],
          users: [{ id: 'u1', email: 'a@example.com', displayName: 'Aiko' }],
        },
      }),
    });
    await nextTick();
    expect(testId('configuration-users')?.textContent).toContain('Aiko');
    await submit();
    expect(sent(wrapper)?.assignment).toEqual({ scope: 'users', userIds: ['u1'] });
    wrapper.unmount();
  });
});

describe('DeviceConfigurations', () => {
  const detail = {
    device: { id: 'd1' },
    channels: [{ channel: 'user:ABC', userShortName: 'aiko' }],
  } as unknown as DeviceDetailDto;

  function row(extra: Partial<DeviceConfigurationDto>): DeviceConfigurationDto {
    return {
      deviceId: 'd1',
      channel: 'device',
      configurationId: 'c1',
      configurationName: 'Office Wi-Fi',
      kind: 'wifi',
      desiredVersion: 2,
      installedVersion: 2,
      state: 'installed',
      error: null,
      updatedAt: '2026-04-02T00:00:00.000Z',
      ...extra,
    };
  }

  it('lists each configuration per channel in words, with its state, versions and error', async () => {
    const ofDevice = vi.fn().mockResolvedValue([
      row({}),
      row({
        configurationId: 'c2',
        configurationName: '<b>VPN</b>',
        kind: 'vpn',
        channel: 'user:ABC',
        state: 'failed',
        installedVersion: null,
        error: 'The VPN payload could not be installed.',
      }),
    ]);
    const api = { configurations: { ofDevice } } as unknown as Api;
    const wrapper = mount(DeviceConfigurations, {
      props: { detail },
      global: {
        plugins: [createTestI18n('en'), createPinia()],
        provide: { [API_KEY as symbol]: api },
        stubs: { RouterLink: { props: ['to'], template: '<a :data-to="JSON.stringify(to)"><slot /></a>' } },
      },
    });
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="device-configuration"]')).toHaveLength(2));
    expect(ofDevice).toHaveBeenCalledWith('d1');
    const [first, second] = wrapper.findAll('[data-testid="device-configuration"]');
    expect(first?.text()).toContain('Office Wi-Fi');
    expect(first?.text()).toContain('Installed');
    expect(first?.text()).toContain('Device');
    expect(first?.text()).toContain('installed v2, wanted v2');
    expect(second?.text()).toContain('<b>VPN</b>');
    expect(second?.find('b').exists()).toBe(false);
    expect(second?.text()).toContain('User aiko');
    expect(second?.attributes('data-state')).toBe('failed');
    expect(second?.find('[data-testid="device-configuration-error"]').text()).toBe(
      'The VPN payload could not be installed.',
    );
    expect(second?.find('a').attributes('data-to')).toBe('{"name":"configurations","query":{"id":"c2"}}');
    wrapper.unmount();
  });
});
