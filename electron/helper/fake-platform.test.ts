import { describe, expect, it } from 'vitest';
import { FakeMacPlatform } from './fake-platform.js';
import { parseProfilesStatus } from './profiles-status.js';

describe('FakeMacPlatform', () => {
  it('answers from its script, repeating the last profiles status', async () => {
    const mac = new FakeMacPlatform({
      productVersion: '15.2',
      isAdmin: false,
      profilesStatus: ['MDM enrollment: No', 'MDM enrollment: Yes\nMDM server: https://mdm.example.com/mdm'],
    });
    expect(await mac.productVersion()).toBe('15.2');
    expect(await mac.isAdmin()).toBe(false);
    expect(parseProfilesStatus((await mac.profilesStatus()).stdout)).toMatchObject({ status: { enrolled: false } });
    expect(parseProfilesStatus((await mac.profilesStatus()).stdout)).toMatchObject({ status: { enrolled: true } });
    expect(parseProfilesStatus((await mac.profilesStatus()).stdout)).toMatchObject({ status: { enrolled: true } });
    mac.scriptProfilesStatus('garbage');
    expect(parseProfilesStatus((await mac.profilesStatus()).stdout).ok).toBe(false);
  });

  it('records opens and notifications and fails scripted targets', async () => {
    const mac = new FakeMacPlatform({ failingOpenTargets: ['x-apple.systempreferences:bad'] });
    expect((await mac.open('/tmp/a.mobileconfig')).exitCode).toBe(0);
    expect((await mac.open('x-apple.systempreferences:bad')).exitCode).toBe(1);
    await mac.notify({ title: 't', body: 'b' });
    expect(mac.opened).toEqual(['/tmp/a.mobileconfig', 'x-apple.systempreferences:bad']);
    expect(mac.notifications).toEqual([{ title: 't', body: 'b' }]);
    expect(await mac.settingsWindowBounds()).toBeNull();
    expect(await new FakeMacPlatform().isAdmin()).toBe(true);
  });
});
