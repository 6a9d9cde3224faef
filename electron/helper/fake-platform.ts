/**
 * A scriptable MacPlatform for tests and for running the helper UI on systems other than macOS.
 */
import { type CommandOutput, type MacPlatform, type PlatformNotification, type WindowBounds } from './platform-port.js';

/** Scripted answers for {@link FakeMacPlatform}. */
export interface FakeMacPlatformOptions {
  productVersion?: string;
  isAdmin?: boolean;
  /** Successive `profiles status` stdouts; the last one repeats once the list is used up. */
  profilesStatus?: readonly string[];
  settingsWindow?: WindowBounds | null;
  /** Targets whose `open` fails (exit code 1), e.g. a pane id that this macOS does not know. */
  failingOpenTargets?: readonly string[];
}

const NOT_ENROLLED = 'Enrolled via DEP: No\nMDM enrollment: No\n';

function output(stdout: string, exitCode = 0, stderr = ''): CommandOutput {
  return { exitCode, stdout, stderr };
}

/** Records what the helper asked for and answers from its script. */
export class FakeMacPlatform implements MacPlatform {
  /** Every target passed to {@link open}, in order. */
  readonly opened: string[] = [];
  /** Every notification shown, in order. */
  readonly notifications: PlatformNotification[] = [];
  private readonly statuses: string[];
  private readonly options: FakeMacPlatformOptions;

  constructor(options: FakeMacPlatformOptions = {}) {
    this.options = options;
    this.statuses = [...(options.profilesStatus ?? [NOT_ENROLLED])];
  }

  /** Replaces the remaining scripted `profiles status` answers (e.g. after the user installed the profile). */
  scriptProfilesStatus(...stdouts: string[]): void {
    this.statuses.splice(0, this.statuses.length, ...stdouts);
  }

  async profilesStatus(): Promise<CommandOutput> {
    const next = this.statuses.length > 1 ? this.statuses.shift() : this.statuses[0];
    return output(next ?? NOT_ENROLLED);
  }

  async productVersion(): Promise<string> {
    return this.options.productVersion ?? '14.5';
  }

  async open(target: string): Promise<CommandOutput> {
    this.opened.push(target);
    const fails = this.options.failingOpenTargets?.includes(target) ?? false;
    return fails ? output('', 1, `cannot open ${target}`) : output('');
  }

  async notify(notification: PlatformNotification): Promise<void> {
    this.notifications.push(notification);
  }

  async isAdmin(): Promise<boolean> {
    return this.options.isAdmin ?? true;
  }

  async settingsWindowBounds(): Promise<WindowBounds | null> {
    return this.options.settingsWindow ?? null;
  }
}
