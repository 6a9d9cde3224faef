import { AppError } from '../../core/errors.js';
import type { PlistDict } from '../../core/plist.js';
import { invalid, type PayloadIds } from './payload-values.js';

/**
 * Whether a restriction works on a platform for devices enrolled by hand (unsupervised), read from the `supportedOS`
 * fields of Apple's schema (`restrictions.test.ts` checks the table against it):
 * - `yes`: works unsupervised;
 * - `deprecated`: still works unsupervised, but Apple has deprecated that and will require supervision;
 * - `supervised`: only on supervised devices, so never for ours;
 * - `no`: the platform does not have it (the device ignores it).
 */
export type RestrictionSupport = 'yes' | 'deprecated' | 'supervised' | 'no';

/** One restriction the console offers: its key, the device's default, and where it works. */
export interface RestrictionKey {
  key: string;
  /** The device's default; the other value restricts. */
  default: boolean;
  ios: RestrictionSupport;
  macos: RestrictionSupport;
}

/**
 * The restrictions offered (a useful subset of `com.apple.applicationaccess`), supervised-only ones included so the
 * console can show them as unavailable and say why. The builder refuses those for our unsupervised devices.
 */
export const RESTRICTIONS: readonly RestrictionKey[] = Object.freeze([
  { key: 'allowCamera', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowScreenShot', default: true, ios: 'yes', macos: 'yes' },
  { key: 'allowCloudBackup', default: true, ios: 'deprecated', macos: 'no' },
  { key: 'allowCloudDocumentSync', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowCloudKeychainSync', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowCloudPhotoLibrary', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowAssistant', default: true, ios: 'yes', macos: 'yes' },
  { key: 'allowAssistantWhileLocked', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowDiagnosticSubmission', default: true, ios: 'yes', macos: 'yes' },
  { key: 'allowOpenFromManagedToUnmanaged', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowOpenFromUnmanagedToManaged', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowManagedAppsCloudSync', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowEnterpriseAppTrust', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowUntrustedTLSPrompt', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowLockScreenControlCenter', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowLockScreenNotificationsView', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowLockScreenTodayView', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowPassbookWhileLocked', default: true, ios: 'yes', macos: 'no' },
  { key: 'allowSpotlightInternetResults', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowFingerprintForUnlock', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'forceEncryptedBackup', default: false, ios: 'yes', macos: 'no' },
  { key: 'forceLimitAdTracking', default: false, ios: 'yes', macos: 'no' },
  { key: 'allowInAppPurchases', default: true, ios: 'deprecated', macos: 'no' },
  { key: 'allowAutoUnlock', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowRemoteScreenObservation', default: true, ios: 'yes', macos: 'yes' },
  { key: 'requireManagedPasteboard', default: false, ios: 'yes', macos: 'no' },
  { key: 'allowContentCaching', default: true, ios: 'no', macos: 'yes' },
  { key: 'allowActivityContinuation', default: true, ios: 'deprecated', macos: 'yes' },
  { key: 'allowApplePersonalizedAdvertising', default: true, ios: 'yes', macos: 'yes' },
  { key: 'forceOnDeviceOnlyDictation', default: false, ios: 'yes', macos: 'yes' },
  { key: 'allowAirDrop', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowAppInstallation', default: true, ios: 'supervised', macos: 'no' },
  { key: 'allowAppRemoval', default: true, ios: 'supervised', macos: 'no' },
  { key: 'allowUIConfigurationProfileInstallation', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowEraseContentAndSettings', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowBluetoothModification', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowPasscodeModification', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowVPNCreation', default: true, ios: 'supervised', macos: 'no' },
  { key: 'allowPasswordAutoFill', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowFindMyDevice', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowCloudPrivateRelay', default: true, ios: 'supervised', macos: 'yes' },
  { key: 'allowGameCenter', default: true, ios: 'supervised', macos: 'yes' },
] satisfies RestrictionKey[]);

/** The Apple platforms a configuration can target. */
export type ApplePlatform = 'ios' | 'macos';

/** Restrictions: chosen keys and their values, for the platforms the configuration targets. */
export interface RestrictionsInput {
  values: Record<string, boolean>;
}

/** True when `key` can be offered for every platform in `platforms` on unsupervised devices (see RestrictionSupport). */
export function restrictionUsable(entry: RestrictionKey, platforms: readonly ApplePlatform[]): boolean {
  const support = platforms.map((p) => entry[p]);
  return !support.includes('supervised') && support.some((s) => s === 'yes' || s === 'deprecated');
}

/**
 * Checks restrictions for `platforms`: only offered keys, boolean values, none that needs supervision on a targeted
 * platform (CONFIGURATION_SUPERVISION_REQUIRED with the keys) and none that no targeted platform has.
 */
export function checkRestrictions(input: RestrictionsInput, platforms: readonly ApplePlatform[]): RestrictionsInput {
  const values = input?.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values))
    throw invalid('values', 'type', 'Choose the restrictions as a list of keys with true or false.');
  const entries = Object.entries(values);
  if (entries.length === 0) throw invalid('values', 'required', 'Choose at least one restriction.');
  if (platforms.length === 0) throw invalid('platforms', 'required', 'Choose iPhone/iPad, Mac, or both.');
  const out: Record<string, boolean> = {};
  const supervised: string[] = [];
  for (const [key, value] of entries) {
    const entry = RESTRICTIONS.find((r) => r.key === key);
    if (!entry)
      throw invalid(
        `values.${key.slice(0, 64)}`,
        'not-allowed',
        `"${key.slice(0, 64)}" is not a restriction Tsunagu offers.`,
      );
    if (typeof value !== 'boolean') throw invalid(`values.${key}`, 'type', `${key} must be true or false.`);
    if (platforms.some((p) => entry[p] === 'supervised')) supervised.push(key);
    else if (!restrictionUsable(entry, platforms))
      throw invalid(`values.${key}`, 'not-allowed', `${key} does not exist on the chosen platforms.`);
    out[key] = value;
  }
  if (supervised.length > 0)
    throw new AppError(
      'CONFIGURATION_SUPERVISION_REQUIRED',
      `${supervised.join(', ')} work${supervised.length === 1 ? 's' : ''} only on supervised devices; devices enrolled with Tsunagu are not supervised. Remove ${supervised.length === 1 ? 'it' : 'them'}.`,
      { keys: supervised, platforms: [...platforms] },
    );
  return { values: out };
}

/** The `com.apple.applicationaccess` payload with the chosen keys only (the rest keep the device's defaults). */
export function restrictionsPayload(
  input: RestrictionsInput,
  ids: PayloadIds,
  platforms: readonly ApplePlatform[],
): PlistDict {
  const r = checkRestrictions(input, platforms);
  return {
    PayloadType: 'com.apple.applicationaccess',
    PayloadIdentifier: ids.identifier,
    PayloadUUID: ids.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: ids.displayName,
    ...r.values,
  };
}
