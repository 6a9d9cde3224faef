import type { PlistDict } from '../../core/plist.js';
import { flag, optionalInteger, type PayloadIds } from './payload-values.js';

/**
 * A passcode policy: the useful subset of `com.apple.mobiledevice.passwordpolicy`, each bound by the range Apple's
 * schema gives. Leaving a value out leaves the device's own default.
 */
export interface PasscodeInput {
  /** Require a passcode at all (`forcePIN`); true unless said otherwise. */
  requirePasscode?: boolean;
  /** Allow simple passcodes such as 1234 or 1111 (`allowSimple`). */
  allowSimple?: boolean;
  /** Require letters and digits (`requireAlphanumeric`). */
  requireAlphanumeric?: boolean;
  /** 0 to 16 characters (`minLength`). */
  minLength?: number;
  /** 0 to 4 symbols (`minComplexChars`). */
  minComplexChars?: number;
  /** Auto-lock after 1 to 15 minutes (`maxInactivity`). */
  maxInactivityMinutes?: number;
  /** Erase (iOS) or lock (macOS) after 2 to 11 failed attempts (`maxFailedAttempts`). */
  maxFailedAttempts?: number;
  /** A new passcode after 1 to 730 days (`maxPINAgeInDays`). */
  maxPasscodeAgeDays?: number;
  /** The last 1 to 50 passcodes cannot be used again (`pinHistory`). */
  passcodeHistory?: number;
}

/** Checks a passcode policy and returns it in canonical form; CONFIGURATION_INVALID names the field otherwise. */
export function checkPasscode(input: PasscodeInput): PasscodeInput {
  const out: PasscodeInput = { requirePasscode: flag('requirePasscode', input.requirePasscode, true) };
  const set = <K extends keyof PasscodeInput>(k: K, v: PasscodeInput[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('allowSimple', input.allowSimple === undefined ? undefined : flag('allowSimple', input.allowSimple, true));
  set(
    'requireAlphanumeric',
    input.requireAlphanumeric === undefined ? undefined : flag('requireAlphanumeric', input.requireAlphanumeric, false),
  );
  set('minLength', optionalInteger('minLength', input.minLength, 0, 16));
  set('minComplexChars', optionalInteger('minComplexChars', input.minComplexChars, 0, 4));
  set('maxInactivityMinutes', optionalInteger('maxInactivityMinutes', input.maxInactivityMinutes, 1, 15));
  set('maxFailedAttempts', optionalInteger('maxFailedAttempts', input.maxFailedAttempts, 2, 11));
  set('maxPasscodeAgeDays', optionalInteger('maxPasscodeAgeDays', input.maxPasscodeAgeDays, 1, 730));
  set('passcodeHistory', optionalInteger('passcodeHistory', input.passcodeHistory, 1, 50));
  return out;
}

/** The `com.apple.mobiledevice.passwordpolicy` payload. */
export function passcodePayload(input: PasscodeInput, ids: PayloadIds): PlistDict {
  const p = checkPasscode(input);
  const payload: PlistDict = {
    PayloadType: 'com.apple.mobiledevice.passwordpolicy',
    PayloadIdentifier: ids.identifier,
    PayloadUUID: ids.uuid,
    PayloadVersion: 1,
    PayloadDisplayName: ids.displayName,
    forcePIN: p.requirePasscode ?? true,
  };
  const keys: [keyof PasscodeInput, string][] = [
    ['allowSimple', 'allowSimple'],
    ['requireAlphanumeric', 'requireAlphanumeric'],
    ['minLength', 'minLength'],
    ['minComplexChars', 'minComplexChars'],
    ['maxInactivityMinutes', 'maxInactivity'],
    ['maxFailedAttempts', 'maxFailedAttempts'],
    ['maxPasscodeAgeDays', 'maxPINAgeInDays'],
    ['passcodeHistory', 'pinHistory'],
  ];
  for (const [from, to] of keys) {
    const v = p[from];
    if (v !== undefined) payload[to] = v;
  }
  return payload;
}
