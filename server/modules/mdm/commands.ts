import type { CommandRequest, Platform } from '../../contract/devices.js';
import { AppError } from '../../core/errors.js';
import type { PlistDict } from '../../core/plist.js';

/** The queries asked on enrollment: identity, OS and hardware facts (apple-protocols §4.4). */
export const DEFAULT_DEVICE_QUERIES = Object.freeze([
  'DeviceName',
  'OSVersion',
  'BuildVersion',
  'ModelName',
  'Model',
  'ProductName',
  'SerialNumber',
  'UDID',
  'DeviceCapacity',
  'AvailableDeviceCapacity',
  'BatteryLevel',
  'WiFiMAC',
  'BluetoothMAC',
  'IsSupervised',
  'IsActivationLockEnabled',
]);

/** Largest profile InstallProfile may carry. */
export const MAX_PROFILE_BYTES = 512 * 1024;

const invalid = (message: string, field: string) => new AppError('COMMAND_INVALID', message, { field });

/**
 * Builds the `Command` dictionary for a request, validated against Apple's command schemas
 * (mdm/commands/*.yaml). Returns the command and, for a Mac erase or lock without a PIN, the PIN it generated.
 */
export function buildCommand(
  request: CommandRequest,
  platform: Platform,
  newPin: () => string,
): { command: PlistDict; pin: string | null } {
  switch (request.type) {
    case 'DeviceInformation': {
      const queries = request.queries ?? [...DEFAULT_DEVICE_QUERIES];
      if (queries.length === 0 || queries.length > 64 || queries.some((q) => !/^[A-Za-z0-9]{1,64}$/.test(q))) {
        throw invalid('Queries must be 1 to 64 key names such as OSVersion or SerialNumber.', 'queries');
      }
      return { command: { RequestType: 'DeviceInformation', Queries: queries }, pin: null };
    }
    case 'ProfileList':
      return {
        command:
          request.managedOnly === undefined
            ? { RequestType: 'ProfileList' }
            : { RequestType: 'ProfileList', ManagedOnly: request.managedOnly },
        pin: null,
      };
    case 'InstallProfile': {
      const payload = Buffer.from(request.payloadBase64, 'base64');
      if (payload.length === 0 || payload.length > MAX_PROFILE_BYTES)
        throw invalid(`The profile must be 1 byte to ${MAX_PROFILE_BYTES / 1024} KiB.`, 'payloadBase64');
      const head = payload.subarray(0, 64).toString('utf8').trimStart();
      // A profile is an XML plist or a DER CMS SignedData (starts with a SEQUENCE tag).
      if (payload[0] !== 0x30 && !head.startsWith('<?xml') && !head.startsWith('<plist'))
        throw invalid('The file is not a configuration profile (.mobileconfig).', 'payloadBase64');
      return { command: { RequestType: 'InstallProfile', Payload: payload }, pin: null };
    }
    case 'RemoveProfile':
      if (!/^[A-Za-z0-9._-]{1,255}$/.test(request.identifier))
        throw invalid(
          "The identifier must be the profile's PayloadIdentifier, such as com.example.wifi.",
          'identifier',
        );
      return { command: { RequestType: 'RemoveProfile', Identifier: request.identifier }, pin: null };
    case 'DeviceLock': {
      const command: PlistDict = { RequestType: 'DeviceLock' };
      if (request.message !== undefined) {
        if (request.message.length > 200) throw invalid('The lock message must be at most 200 characters.', 'message');
        command.Message = request.message;
      }
      if (request.phoneNumber !== undefined) {
        if (!/^[0-9+()\- ]{3,32}$/.test(request.phoneNumber))
          throw invalid('The phone number may hold digits, spaces, +, - and parentheses.', 'phoneNumber');
        command.PhoneNumber = request.phoneNumber;
      }
      const pin = pinFor(request.pin, platform, newPin);
      if (pin) command.PIN = pin;
      return { command, pin: platform === 'macos' ? pin : null };
    }
    case 'EraseDevice': {
      const command: PlistDict = { RequestType: 'EraseDevice' };
      const pin = pinFor(request.pin, platform, newPin);
      if (pin) command.PIN = pin;
      if (request.preserveDataPlan !== undefined) command.PreserveDataPlan = request.preserveDataPlan;
      return { command, pin: platform === 'macos' ? pin : null };
    }
    default:
      throw invalid('Unknown command type.', 'type');
  }
}

// Macs need a 6-digit PIN to unlock after a lock or erase (device.lock.yaml, device.erase.yaml); iOS ignores it.
function pinFor(given: string | undefined, platform: Platform, newPin: () => string): string | null {
  if (given !== undefined) {
    if (!/^\d{6}$/.test(given)) throw invalid('The PIN must be exactly 6 digits.', 'pin');
    return platform === 'macos' ? given : null;
  }
  return platform === 'macos' ? newPin() : null;
}
