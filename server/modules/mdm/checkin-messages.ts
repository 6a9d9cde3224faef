import { AppError } from '../../core/errors.js';
import { isDict, parsePlist, PlistError, type PlistDict, type PlistValue } from '../../core/plist.js';
import type { DeviceRow } from '../devices/devices.store.js';

// Check-in and command-report bodies (apple-protocols §3.2, §4.2), decoded once into typed messages with
// their validation: the handlers see checked values only. Everything here came from a device: bounded,
// typed, and never trusted beyond that.

/** A check-in or report the server cannot use: HTTP 400 (never 401 or 403, which unenroll). */
export function badMessage(message: string): AppError {
  return new AppError('MDM_BAD_REQUEST', message);
}

/** Reads an optional string of at most `max` characters. */
export function stringField(msg: PlistDict, key: string, max = 256): string | null {
  const v = msg[key];
  if (v === undefined) return null;
  if (typeof v !== 'string' || v.length > max)
    throw badMessage(`${key} must be a string of at most ${max} characters.`);
  return v;
}

/** Parses a body as a plist dictionary (the strict parser: no entities, bounded sizes). */
export function parseMessage(body: Buffer): PlistDict {
  let value: PlistValue;
  try {
    value = parsePlist(body);
  } catch (err) {
    if (err instanceof PlistError) throw badMessage(err.message);
    throw err;
  }
  if (!isDict(value)) throw badMessage('The message must be a plist dictionary.');
  return value;
}

const UDID_RE = /^[A-Za-z0-9-]{1,64}$/;

const FACTS: [string, keyof DeviceFacts][] = [
  ['DeviceName', 'device_name'],
  ['OSVersion', 'os_version'],
  ['BuildVersion', 'build_version'],
  ['Model', 'model'],
  ['ModelName', 'model_name'],
  ['ProductName', 'product_name'],
  ['SerialNumber', 'serial_number'],
];

/** What a device says about itself, by device column (Authenticate and DeviceInformation answers). */
export type DeviceFacts = Partial<
  Pick<
    DeviceRow,
    'device_name' | 'os_version' | 'build_version' | 'model' | 'model_name' | 'product_name' | 'serial_number'
  >
>;

/** The device facts in a dictionary: known keys, strings of at most 128 characters; anything else is left out. */
export function factsFrom(source: PlistDict): DeviceFacts {
  const facts: DeviceFacts = {};
  for (const [key, column] of FACTS) {
    const v = source[key];
    if (typeof v === 'string' && v.length <= 128) facts[column] = v;
  }
  return facts;
}

/** The channel a message is for: the device, or on macOS one user (`user:<UserID>`). */
function channelOf(msg: PlistDict): string {
  const userId = stringField(msg, 'UserID', 64);
  return userId ? `user:${userId}` : 'device';
}

function udidOf(msg: PlistDict): string {
  const udid = stringField(msg, 'UDID', 64);
  if (!udid) throw badMessage('UDID is required.');
  return udid;
}

/** `Authenticate`: a device starts enrolling with the identity SCEP gave it. */
export interface AuthenticateMessage {
  type: 'Authenticate';
  udid: string;
  topic: string | null;
  facts: DeviceFacts;
  /** As the device sent them, for the audit trail. */
  serialNumber: PlistValue | null;
  model: PlistValue | null;
}

/** `TokenUpdate`: a channel's push token (device channel: enrollment completes). */
export interface TokenUpdateMessage {
  type: 'TokenUpdate';
  udid: string;
  channel: string;
  userId: string | null;
  userShortName: string | null;
  userLongName: string | null;
  topic: string | null;
  token: Buffer;
  pushMagic: string;
  unlockToken: Buffer | null;
}

/** `CheckOut`: the user removed the management profile. */
export interface CheckOutMessage {
  type: 'CheckOut';
  udid: string;
}

/** `SetBootstrapToken` (a token, or none to remove it) and `GetBootstrapToken` (macOS). */
export interface BootstrapTokenMessage {
  type: 'SetBootstrapToken' | 'GetBootstrapToken';
  udid: string;
  /** The token to escrow; null removes it (Set only). */
  token: Buffer | null;
}

/** `UserAuthenticate`: a Mac asks whether to manage a (directory or mobile) user; this server declines. */
export interface UserAuthenticateMessage {
  type: 'UserAuthenticate';
  udid: string;
}

/** Messages this server does not support. */
export interface DeclinedMessage {
  type: 'DeclarativeManagement' | 'GetToken';
}

/** One decoded check-in message. */
export type CheckinMessage =
  | AuthenticateMessage
  | TokenUpdateMessage
  | CheckOutMessage
  | BootstrapTokenMessage
  | UserAuthenticateMessage
  | DeclinedMessage;

/** Decodes and validates a check-in body; throws MDM_BAD_REQUEST with the reason. */
export function decodeCheckin(body: Buffer): CheckinMessage {
  const msg = parseMessage(body);
  const type = stringField(msg, 'MessageType', 64);
  switch (type) {
    case 'Authenticate': {
      const udid = stringField(msg, 'UDID', 64);
      if (!udid || !UDID_RE.test(udid)) throw badMessage('Authenticate needs a UDID of letters, digits and dashes.');
      return {
        type,
        udid,
        topic: stringField(msg, 'Topic', 255),
        facts: factsFrom(msg),
        serialNumber: msg.SerialNumber ?? null,
        model: msg.ProductName ?? msg.Model ?? null,
      };
    }
    case 'TokenUpdate': {
      const udid = udidOf(msg);
      const token = msg.Token;
      if (!Buffer.isBuffer(token) || token.length === 0 || token.length > 100)
        throw badMessage('TokenUpdate needs Token (data).');
      const pushMagic = stringField(msg, 'PushMagic', 128);
      if (!pushMagic) throw badMessage('TokenUpdate needs PushMagic.');
      const channel = channelOf(msg);
      const unlock = msg.UnlockToken;
      return {
        type,
        udid,
        channel,
        userId: channel === 'device' ? null : stringField(msg, 'UserID', 64),
        userShortName: stringField(msg, 'UserShortName', 128),
        userLongName: stringField(msg, 'UserLongName', 256),
        topic: stringField(msg, 'Topic', 255),
        token,
        pushMagic,
        unlockToken: Buffer.isBuffer(unlock) ? unlock : null,
      };
    }
    case 'CheckOut':
      return { type, udid: udidOf(msg) };
    case 'SetBootstrapToken': {
      const udid = udidOf(msg);
      const token = msg.BootstrapToken;
      return { type, udid, token: Buffer.isBuffer(token) && token.length > 0 ? token : null };
    }
    case 'GetBootstrapToken':
      return { type, udid: udidOf(msg), token: null };
    case 'UserAuthenticate':
      return { type, udid: udidOf(msg) };
    case 'DeclarativeManagement':
    case 'GetToken':
      return { type };
    default:
      throw badMessage(`Unknown MessageType ${JSON.stringify(type)}.`);
  }
}

const STATUSES = new Set(['Idle', 'Acknowledged', 'Error', 'CommandFormatError', 'NotNow']);

/** A device's report on the command channel (`/mdm/connect`): idle, or the result of a command. */
export interface CommandReport {
  udid: string;
  channel: string;
  status: 'Idle' | 'Acknowledged' | 'Error' | 'CommandFormatError' | 'NotNow';
  /** The command answered; null when Idle. */
  commandUuid: string | null;
  errorChain: PlistValue[] | null;
  /** Everything else the device sent with the result (query responses, profile lists ...). */
  result: PlistDict;
}

/** Decodes and validates a command report; throws MDM_BAD_REQUEST with the reason. */
export function decodeReport(body: Buffer): CommandReport {
  const msg = parseMessage(body);
  const udid = udidOf(msg);
  const status = stringField(msg, 'Status', 32);
  if (!status || !STATUSES.has(status))
    throw badMessage('Status must be Idle, Acknowledged, Error, CommandFormatError or NotNow.');
  const channel = channelOf(msg);
  const commandUuid = status === 'Idle' ? null : stringField(msg, 'CommandUUID', 64);
  if (status !== 'Idle' && !commandUuid) throw badMessage('CommandUUID is required with a result.');
  const { UDID: _u, CommandUUID: _c, Status: _s, ErrorChain: chain, ...result } = msg;
  return {
    udid,
    channel,
    status: status as CommandReport['status'],
    commandUuid,
    errorChain: Array.isArray(chain) ? chain : null,
    result,
  };
}
