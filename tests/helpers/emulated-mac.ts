// A Mac for the helper's tests: the helper's MacPlatform, backed by an emulated Apple device. `open` on a downloaded
// profile stages it as macOS does; `install()` is the user clicking Enroll in System Settings: the device reads the
// staged profile and runs the real SCEP, Authenticate and TokenUpdate against the server; from then on
// `profiles status -type enrollment` names the profile's MDM server.
import { readFileSync } from 'node:fs';
import { FakeMacPlatform, type FakeMacPlatformOptions } from '../../electron/helper/fake-platform.js';
import type { CommandOutput } from '../../electron/helper/platform-port.js';
import type { EmulatedAppleDevice } from './apple-device.js';

/** The emulated Mac's MacPlatform. */
export class EmulatedMacPlatform extends FakeMacPlatform {
  /** The profile the helper opened last (what System Settings lists under Downloaded). */
  staged: Buffer | null = null;
  /** The MDM server of the installed enrollment profile, once installed. */
  mdmServer: string | null = null;

  constructor(
    readonly device: EmulatedAppleDevice,
    options: FakeMacPlatformOptions = {},
  ) {
    super(options);
  }

  override async open(target: string): Promise<CommandOutput> {
    const out = await super.open(target);
    // macOS reads the file when it is opened; later deleting it does not unstage it.
    if (out.exitCode === 0 && target.endsWith('.mobileconfig')) this.staged = readFileSync(target);
    return out;
  }

  /** The user installs the staged profile: SCEP with its challenge, then Authenticate and TokenUpdate. */
  async install(): Promise<{ scep: string; checkIns: number[] }> {
    if (this.staged === null) throw new Error('No profile was opened on this Mac.');
    const profile = this.device.receiveProfile(this.staged);
    const scep = await this.device.scep();
    if (scep.status !== 'SUCCESS') return { scep: `${scep.status}/${scep.failInfo ?? ''}`, checkIns: [] };
    const checkIns = (await this.device.enrollMdm()).map((r) => r.status);
    if (checkIns.every((s) => s === 200)) this.mdmServer = profile.mdm.serverUrl;
    return { scep: scep.status, checkIns };
  }

  override async profilesStatus(): Promise<CommandOutput> {
    if (this.mdmServer === null) return super.profilesStatus();
    return {
      exitCode: 0,
      stdout: `Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\nMDM server: ${this.mdmServer}\n`,
      stderr: '',
    };
  }
}
