import type {
  ConfigurationDto,
  ConfigurationPlatform,
  DeliveryState,
  DeviceConfigurationDto,
} from '../../contract/configurations.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { isDict, type PlistDict, type PlistValue } from '../../core/plist.js';
import type { Actor, AuditService } from '../audit/audit.service.js';
import type { DeviceRow } from '../devices/devices.store.js';
import type { CommandHooks, CommandOutcome } from '../mdm/command-hooks.js';
import type { ProfileSigner } from '../profiles/sign-profile.js';
import {
  configurationProfileIdentifier,
  configurationProfileUuid,
  needsIdentity,
  signedConfigurationProfile,
  type ConfigurationChannel,
} from './configuration-profile.js';
import type { DeliveryStore, DeviceConfigurationRow } from './delivery.store.js';
import type {
  AgentConfigurationResult,
  AgentDelivery,
  ConfigurationCatalog,
  ConfigurationVersion,
  DeliveryPort,
  IdentityChallenges,
} from './ports.js';

// Delivery and state of configurations on devices: what each device channel should have (the library's assignments),
// what it has (the device's answers), and the MDM commands between the two. The one writer of device_configurations.

/** A device's MDM channel as delivery needs it. */
export interface DeliveryChannel {
  channel: string;
  enabled: boolean;
  hasPushToken: boolean;
}

/** The MDM command queue, as delivery uses it (the mdm module; wired in server/compose.ts). */
export interface AppleCommands {
  channelStates(deviceId: string): DeliveryChannel[];
  /** Queues inside the caller's transaction; with `render`, the body is made when the device fetches it. */
  queueCommand(
    deviceId: string,
    channel: string,
    command: PlistDict,
    options: { createdBy: string; render?: string },
  ): string;
  /** Cancels a command the device has not fetched; false when it already has. */
  cancelQueued(uuid: string): boolean;
  /** Whether a command is still to be answered (not cancelled by an admin or a new enrollment, not answered). */
  isOpen(uuid: string): boolean;
  /** Devices whose newest ProfileList is older than `before`. */
  profileListsDue(before: string, limit: number): string[];
  wake(deviceId: string): void;
}

/** What a configuration profile is signed and addressed with. */
export interface ProfileContext {
  serverId(): string;
  /** The office name (PayloadOrganization, and the organization of identity certificates). */
  organization(): string;
  /** The office CA: certificate (DER) and common name. */
  office(): { der: Buffer; name: string };
  /** The server's TLS identity, which signs profiles as it signs enrollment profiles. */
  signer(): ProfileSigner;
  /** Where devices ask for identity certificates (SCEP). */
  scepUrl(): string;
}

/** Dependencies of delivery. */
export interface DeliveryDeps {
  store: DeliveryStore;
  catalog: ConfigurationCatalog;
  devices: { byId(id: string): DeviceRow | undefined };
  users: { byId(id: string): { email: string; display_name: string; locale: 'ja' | 'en' } | undefined };
  commands: AppleCommands;
  /** One-time SCEP challenges for identity payloads. */
  identities: IdentityChallenges;
  profiles: ProfileContext;
  audit: AuditService;
  clock: Clock;
  transaction: <T>(fn: () => T) => T;
  /** Runs a task once the current transaction is over (wakes devices); setImmediate by default. */
  later?: (task: () => void) => void;
  /** Logs what went wrong making a profile that is not the configuration's fault (the admin sees the row failed). */
  logError?: (err: unknown, message: string) => void;
}

/** Delivery of configurations: reconciliation, command rendering and results, and the state lists. */
export interface DeliveryService extends DeliveryPort, AgentDelivery, CommandHooks {
  /**
   * Brings one device in line with the library: installs for what is missing or outdated on its channels, removals
   * for what is no longer assigned. Idempotent. Returns how many commands it queued (and wakes the device if any).
   */
  reconcileDevice(deviceId: string): number;
  /** The device left management: its rows are marked removed, with no command (its profiles went with it). */
  deviceEnded(deviceId: string): void;
  /** Queues the daily ProfileList for each active Apple device whose last one is older than 24 hours. */
  queueDueProfileLists(): number;
  /** Every configuration row of a device (removed ones last). Throws DEVICE_NOT_FOUND. */
  ofDevice(deviceId: string): DeviceConfigurationDto[];
}

/** The `render` JSON of an InstallProfile queued by delivery. */
interface RenderRequest {
  configurationId: string;
  version: number;
  channel: string;
}

const SYSTEM: Actor = { type: 'system', label: 'configurations' };
const CREATED_BY = 'configurations';
const MAX_ERROR = 1000;
const DAY_MS = 86_400_000;

/** An empty count per state. */
export function emptyCounts(): ConfigurationDto['counts'] {
  return { pending: 0, installed: 0, failed: 0, removing: 0 };
}

/** The device's ErrorChain in words: each error's description with its domain and code, outermost first. */
export function errorChainWords(chain: PlistValue[] | null): string {
  const words = (chain ?? [])
    .filter(isDict)
    .map((e) => {
      const text = String(e.LocalizedDescription ?? e.USEnglishDescription ?? '').trim();
      const where = [e.ErrorDomain, e.ErrorCode].filter((v) => v !== undefined).join(' ');
      return where ? `${text || 'Error'} (${where})` : text;
    })
    .filter((w) => w.length > 0);
  const out = words.length > 0 ? words.join(' — ') : 'The device reported an error without details.';
  return out.length > MAX_ERROR ? `${out.slice(0, MAX_ERROR - 1)}…` : out;
}

/**
 * Whether a RemoveProfile error says the profile is not there at all: the removal has then happened.
 * MCProfileErrorDomain 1004 is the device's "profile not installed".
 */
export function saysNotInstalled(chain: PlistValue[] | null): boolean {
  return (chain ?? []).some(
    (e) => isDict(e) && e.ErrorDomain === 'MCProfileErrorDomain' && Number(e.ErrorCode) === 1004,
  );
}

function parseRender(json: string | null): RenderRequest | null {
  if (!json) return null;
  try {
    const r = JSON.parse(json) as Partial<RenderRequest>;
    if (typeof r.configurationId === 'string' && typeof r.version === 'number' && typeof r.channel === 'string')
      return { configurationId: r.configurationId, version: r.version, channel: r.channel };
  } catch {
    // Not ours.
  }
  return null;
}

const key = (channel: string, configurationId: string) => `${channel}\u0000${configurationId}`;

/** Builds delivery. */
export function createDeliveryService(deps: DeliveryDeps): DeliveryService {
  const { store, catalog, commands, audit, clock, transaction } = deps;
  const later = deps.later ?? ((task: () => void) => void setImmediate(task));
  const now = () => clock.now().toISOString();

  const deviceSubject = (device: DeviceRow) => ({
    type: 'device',
    id: device.id,
    label: device.device_name ?? device.serial_number ?? device.udid ?? device.hardware_id,
  });
  const nameOf = (configurationId: string) => catalog.describe(configurationId)?.name ?? null;
  const record = (
    action:
      | 'configuration.install_queued'
      | 'configuration.installed'
      | 'configuration.failed'
      | 'configuration.remove_queued'
      | 'configuration.removed',
    device: DeviceRow,
    details: Record<string, unknown>,
    actor: Actor = SYSTEM,
  ) => audit.record({ actor, action, subject: deviceSubject(device), details });
  const deviceActor = (device: DeviceRow): Actor => ({
    type: 'device',
    id: device.id,
    label: device.udid ?? device.hardware_id,
  });

  const isOpen = (uuid: string | null) => uuid !== null && commands.isOpen(uuid);

  /** The enrolling user's channel of a Mac: its oldest enabled user channel with a push token. */
  const userChannel = (channels: DeliveryChannel[]) =>
    channels.find((c) => c.channel.startsWith('user:') && c.enabled && c.hasPushToken)?.channel ?? null;

  /**
   * What should be on each channel of the device now, and the channels delivery manages now; null when the device is
   * not reachable (not active, or its MDM channel is off): nothing is changed then.
   */
  const desiredOf = (
    device: DeviceRow,
  ): { desired: Map<string, { version: ConfigurationVersion; channel: string }>; channels: Set<string> } | null => {
    if (device.deleted_at || device.status !== 'active') return null;
    const assigned = catalog
      .assignedTo({ platform: device.platform, userId: device.user_id })
      .filter((c) => c.platforms.includes(device.platform as ConfigurationPlatform));
    const desired = new Map<string, { version: ConfigurationVersion; channel: string }>();
    if (device.platform === 'android') {
      for (const c of assigned)
        if (c.kind === 'wifi') desired.set(key('agent', c.id), { version: c, channel: 'agent' });
      return { desired, channels: new Set(['agent']) };
    }
    const states = commands.channelStates(device.id);
    if (!states.some((c) => c.channel === 'device' && c.enabled)) return null;
    const user = device.platform === 'macos' ? userChannel(states) : null;
    const channels = new Set(['device', ...(user ? [user] : [])]);
    for (const c of assigned) {
      const channel = device.platform === 'macos' && c.macChannel === 'user' ? user : 'device';
      // A user-level configuration waits for the Mac user's TokenUpdate.
      if (channel) desired.set(key(channel, c.id), { version: c, channel });
    }
    return { desired, channels };
  };

  const queueInstall = (
    device: DeviceRow,
    version: ConfigurationVersion,
    channel: string,
    row: DeviceConfigurationRow | undefined,
    reason: string,
  ) => {
    const at = now();
    // An older install, or a removal, still waiting for the device is dropped: this install replaces it.
    if (row?.command_uuid && (row.state === 'pending' || row.state === 'removing'))
      commands.cancelQueued(row.command_uuid);
    const installed = row && row.state !== 'removed' ? row.installed_version : null;
    // The agent fetches its configurations itself; an Apple device gets an InstallProfile made when it fetches it.
    const uuid =
      device.platform === 'android'
        ? null
        : commands.queueCommand(
            device.id,
            channel,
            { RequestType: 'InstallProfile' },
            {
              createdBy: CREATED_BY,
              render: JSON.stringify({
                configurationId: version.id,
                version: version.version,
                channel,
              } satisfies RenderRequest),
            },
          );
    store.upsert({
      device_id: device.id,
      channel,
      configuration_id: version.id,
      desired_version: version.version,
      installed_version: installed,
      state: 'pending',
      command_uuid: uuid,
      error: null,
      updated_at: at,
    });
    record('configuration.install_queued', device, {
      configurationId: version.id,
      name: version.name,
      version: version.version,
      channel,
      ...(uuid ? { command: uuid } : {}),
      reason,
    });
    return uuid ? 1 : 0;
  };

  const markRemoved = (device: DeviceRow, row: DeviceConfigurationRow, details: Record<string, unknown>) => {
    store.update(device.id, row.channel, row.configuration_id, {
      desired_version: null,
      installed_version: null,
      state: 'removed',
      command_uuid: null,
      updated_at: now(),
    });
    record('configuration.removed', device, {
      configurationId: row.configuration_id,
      name: nameOf(row.configuration_id),
      channel: row.channel,
      ...details,
    });
  };

  const queueRemove = (device: DeviceRow, row: DeviceConfigurationRow | undefined, channel: string, id: string) => {
    if (device.platform === 'android') {
      if (!row) return 0;
      store.update(device.id, channel, id, {
        desired_version: null,
        state: 'removing',
        command_uuid: null,
        updated_at: now(),
      });
      record('configuration.remove_queued', device, { configurationId: id, name: nameOf(id), channel });
      return 0;
    }
    const uuid = commands.queueCommand(
      device.id,
      channel,
      { RequestType: 'RemoveProfile', Identifier: configurationProfileIdentifier(deps.profiles.serverId(), id) },
      { createdBy: CREATED_BY },
    );
    // A configuration we no longer know (deleted from the database) has no row: the removal is queued untracked.
    if (row)
      store.update(device.id, channel, id, {
        desired_version: null,
        state: 'removing',
        command_uuid: uuid,
        updated_at: now(),
      });
    record('configuration.remove_queued', device, { configurationId: id, name: nameOf(id), channel, command: uuid });
    return 1;
  };

  /** Takes a row that is no longer desired off its channel; returns the commands queued. */
  const undeliver = (device: DeviceRow, row: DeviceConfigurationRow) => {
    // A removal the device refused stays failed until the configuration is assigned again.
    if (row.state === 'removed' || (row.state === 'failed' && row.desired_version === null)) return 0;
    if (row.state === 'removing') {
      // A removal whose command ended unanswered is queued again; the agent's removals wait for the agent.
      return device.platform === 'android' || isOpen(row.command_uuid)
        ? 0
        : queueRemove(device, row, row.channel, row.configuration_id);
    }
    if (
      row.state === 'pending' &&
      row.command_uuid &&
      commands.cancelQueued(row.command_uuid) &&
      !row.installed_version
    ) {
      markRemoved(device, row, { withoutCommand: true });
      return 0;
    }
    if (row.installed_version === null && (row.state === 'failed' || (row.state === 'pending' && !row.command_uuid))) {
      markRemoved(device, row, { withoutCommand: true });
      return 0;
    }
    return queueRemove(device, row, row.channel, row.configuration_id);
  };

  /** Reconciles one device inside the caller's transaction; returns the commands queued. */
  const reconcile = (deviceId: string): number => {
    const device = deps.devices.byId(deviceId);
    if (!device) return 0;
    const plan = desiredOf(device);
    if (!plan) return 0;
    let queued = 0;
    const rows = new Map(store.ofDevice(device.id).map((r) => [key(r.channel, r.configuration_id), r]));
    for (const [k, { version, channel }] of plan.desired) {
      const row = rows.get(k);
      // A pending install whose command ended unanswered (cancelled by an admin or a new enrollment) goes again.
      const stalled = row?.state === 'pending' && device.platform !== 'android' && !isOpen(row.command_uuid);
      if (
        row &&
        row.desired_version === version.version &&
        (row.state === 'pending' || row.state === 'installed' || row.state === 'failed') &&
        !stalled
      )
        continue;
      queued += queueInstall(device, version, channel, row, row ? 'changed' : 'assigned');
    }
    for (const [k, row] of rows) {
      if (plan.desired.has(k) || !plan.channels.has(row.channel)) continue;
      queued += undeliver(device, row);
    }
    return queued;
  };

  const wakeLater = (deviceIds: Iterable<string>) => {
    const ids = [...new Set(deviceIds)];
    if (ids.length > 0) later(() => ids.forEach((id) => commands.wake(id)));
  };

  /** The device's words for a refused command. */
  const refusalWords = (o: CommandOutcome) =>
    o.status === 'CommandFormatError'
      ? 'The device did not understand the command (CommandFormatError).'
      : errorChainWords(o.errorChain);

  /** A delivery that failed (install, removal or making the profile): the row says why, and it is audited. */
  const markFailed = (
    device: DeviceRow,
    channel: string,
    configurationId: string,
    error: string,
    details: Record<string, unknown>,
    actor?: Actor,
  ) => {
    store.update(device.id, channel, configurationId, {
      state: 'failed',
      command_uuid: null,
      error,
      updated_at: now(),
    });
    record(
      'configuration.failed',
      device,
      { configurationId, name: nameOf(configurationId), channel, ...details, error },
      actor,
    );
  };

  /** The result of an InstallProfile delivery queued. */
  const installAnswered = (device: DeviceRow, o: CommandOutcome, r: RenderRequest) => {
    const row = store.get(device.id, r.channel, r.configurationId);
    // A result for a command delivery has moved past (a newer version was queued since) changes nothing.
    if (!row || row.command_uuid !== o.uuid) return;
    const name = nameOf(r.configurationId);
    if (o.status === 'Acknowledged') {
      store.update(device.id, r.channel, r.configurationId, {
        installed_version: r.version,
        state: 'installed',
        command_uuid: null,
        error: null,
        updated_at: now(),
      });
      record(
        'configuration.installed',
        device,
        { configurationId: r.configurationId, name, version: r.version, channel: r.channel, command: o.uuid },
        deviceActor(device),
      );
      return;
    }
    markFailed(
      device,
      r.channel,
      r.configurationId,
      refusalWords(o),
      { version: r.version, command: o.uuid },
      deviceActor(device),
    );
  };

  const removeAnswered = (device: DeviceRow, o: CommandOutcome) => {
    const row = store.byCommand(device.id, o.uuid);
    if (!row || row.state !== 'removing') return;
    if (o.status === 'Acknowledged' || (o.status === 'Error' && saysNotInstalled(o.errorChain))) {
      markRemoved(device, row, { command: o.uuid });
      return;
    }
    markFailed(
      device,
      row.channel,
      row.configuration_id,
      refusalWords(o),
      { command: o.uuid, removal: true },
      deviceActor(device),
    );
  };

  /**
   * A channel's ProfileList: a desired profile that is missing or has another version's PayloadUUID is installed
   * again; one of our configuration profiles that is not desired is removed. Other profiles (the enrollment profile
   * included) are never touched. Returns the commands queued.
   */
  const profileListAnswered = (device: DeviceRow, channel: string, list: PlistValue | undefined) => {
    if (!Array.isArray(list)) return 0;
    const plan = desiredOf(device);
    if (!plan || !plan.channels.has(channel)) return 0;
    const serverId = deps.profiles.serverId();
    const prefix = configurationProfileIdentifier(serverId, '');
    const present = new Map<string, string>();
    for (const p of list)
      if (isDict(p) && typeof p.PayloadIdentifier === 'string')
        present.set(p.PayloadIdentifier, String(p.PayloadUUID ?? '').toUpperCase());
    let queued = 0;
    for (const { version, channel: ch } of plan.desired.values()) {
      if (ch !== channel) continue;
      const row = store.get(device.id, channel, version.id);
      if (!row || row.state !== 'installed' || row.desired_version !== version.version) continue;
      const uuid = present.get(configurationProfileIdentifier(serverId, version.id));
      if (uuid === configurationProfileUuid(serverId, version.id, version.version).toUpperCase()) continue;
      store.update(device.id, channel, version.id, { installed_version: uuid ? row.installed_version : null });
      queued += queueInstall(
        device,
        version,
        channel,
        store.get(device.id, channel, version.id),
        'missing on the device',
      );
    }
    for (const identifier of present.keys()) {
      if (!identifier.startsWith(prefix)) continue;
      const id = identifier.slice(prefix.length);
      if (!id || plan.desired.has(key(channel, id))) continue;
      const row = store.get(device.id, channel, id);
      if (row?.state === 'removing') continue;
      if (row) {
        queued += queueRemove(device, row, channel, id);
      } else if (catalog.describe(id)) {
        // Installed before we kept state for it: tracked from now on.
        store.upsert({
          device_id: device.id,
          channel,
          configuration_id: id,
          desired_version: null,
          installed_version: null,
          state: 'removing',
          command_uuid: null,
          error: null,
          updated_at: now(),
        });
        queued += queueRemove(device, store.get(device.id, channel, id), channel, id);
      } else {
        queued += queueRemove(device, undefined, channel, id);
      }
    }
    return queued;
  };

  const queueProfileList = (deviceId: string, channel: string) =>
    commands.queueCommand(deviceId, channel, { RequestType: 'ProfileList' }, { createdBy: CREATED_BY });

  const toDto = (row: DeviceConfigurationRow): DeviceConfigurationDto => {
    const described = catalog.describe(row.configuration_id);
    return {
      deviceId: row.device_id,
      channel: row.channel,
      configurationId: row.configuration_id,
      configurationName: described?.name ?? row.configuration_id,
      kind: described?.kind ?? 'uploaded',
      desiredVersion: row.desired_version,
      installedVersion: row.installed_version,
      state: row.state,
      error: row.error,
      updatedAt: row.updated_at,
    };
  };

  /** Records a failure to make a profile (its row fails; the command is cancelled by the caller). */
  const renderFailed = (deviceId: string, r: RenderRequest, uuid: string, error: string) =>
    transaction(() => {
      const device = deps.devices.byId(deviceId);
      const row = store.get(deviceId, r.channel, r.configurationId);
      if (!device || row?.command_uuid !== uuid) return;
      markFailed(device, r.channel, r.configurationId, error, { version: r.version, command: uuid });
    });

  const service: DeliveryService = {
    reconcileDevice(deviceId) {
      const queued = transaction(() => reconcile(deviceId));
      if (queued > 0) wakeLater([deviceId]);
      return queued;
    },

    reconcileConfiguration(configurationId) {
      const woken: string[] = [];
      transaction(() => {
        for (const deviceId of new Set([...store.devicesWith(configurationId), ...store.activeDevices()]))
          if (reconcile(deviceId) > 0) woken.push(deviceId);
      });
      wakeLater(woken);
    },

    deviceEnded(deviceId) {
      transaction(() => {
        const device = deps.devices.byId(deviceId);
        const n = store.endDevice(deviceId, now());
        if (device && n > 0) record('configuration.removed', device, { rows: n, reason: 'management ended' });
      });
    },

    queueDueProfileLists() {
      const before = new Date(clock.now().getTime() - DAY_MS).toISOString();
      const due = commands.profileListsDue(before, 500);
      transaction(() => {
        for (const deviceId of due) {
          queueProfileList(deviceId, 'device');
          const user = userChannel(commands.channelStates(deviceId));
          if (user && store.ofDevice(deviceId).some((r) => r.channel === user && r.state !== 'removed'))
            queueProfileList(deviceId, user);
        }
      });
      wakeLater(due);
      return due.length;
    },

    answered(o) {
      const device = deps.devices.byId(o.deviceId);
      if (!device) return;
      let queued = 0;
      if (o.requestType === 'InstallProfile') {
        const r = parseRender(o.render);
        if (r && r.channel === o.channel) installAnswered(device, o, r);
      } else if (o.requestType === 'RemoveProfile') {
        removeAnswered(device, o);
      } else if (o.requestType === 'ProfileList' && o.status === 'Acknowledged') {
        queued += profileListAnswered(device, o.channel, o.result.ProfileList);
      } else if (
        o.requestType === 'DeviceInformation' &&
        o.status === 'Acknowledged' &&
        o.createdBy === 'system' &&
        o.channel === 'device'
      ) {
        // The enrollment's DeviceInformation: configurations come right after it, then a look at what is installed.
        queued += reconcile(device.id);
        // Nothing to look for on a device no configuration ever concerned.
        const plan = desiredOf(device);
        if (plan && (plan.desired.size > 0 || store.ofDevice(device.id).length > 0)) {
          queueProfileList(device.id, 'device');
          queued += 1;
        }
      }
      // The device is connected on this channel and fetches what was queued there; other channels need a push.
      if (queued > 0) wakeLater([device.id]);
    },

    channelReady(deviceId) {
      return reconcile(deviceId) > 0;
    },

    async render(command) {
      const r = parseRender(command.render);
      if (!r || r.channel !== command.channel) return null;
      const prepared = transaction(() => {
        const device = deps.devices.byId(command.deviceId);
        const row = store.get(command.deviceId, r.channel, r.configurationId);
        // Superseded by a newer delivery (or the row was ended): this command no longer applies.
        if (!device || !row || row.command_uuid !== command.uuid) return null;
        const version = catalog.version(r.configurationId, r.version);
        if (!version) {
          // The version or the configuration is gone: put the row back as it was and let reconciliation decide.
          store.update(command.deviceId, r.channel, r.configurationId, {
            desired_version: row.installed_version,
            state: row.installed_version === null ? 'removed' : 'installed',
            command_uuid: null,
            updated_at: now(),
          });
          reconcile(command.deviceId);
          return null;
        }
        const user = device.user_id ? deps.users.byId(device.user_id) : undefined;
        let identity;
        if (needsIdentity(version.spec)) {
          const subject = {
            organization: deps.profiles.organization(),
            commonName: user?.display_name || device.device_name || device.serial_number || device.id,
            // An rfc822Name is ASCII (IA5String): an address with other characters stays out of the certificate.
            ...(user?.email && /^[\x21-\x7e]+$/.test(user.email) ? { email: user.email } : {}),
          };
          let challenge: string;
          try {
            challenge = deps.identities.mint(
              { deviceId: device.id, channel: r.channel, configurationId: r.configurationId },
              subject,
            );
          } catch (err) {
            // The device left management meanwhile, or its names cannot go in a certificate: the row says which.
            if (err instanceof AppError) return `No identity certificate can be issued now: ${err.message}`;
            throw err;
          }
          identity = {
            scepUrl: deps.profiles.scepUrl(),
            challenge,
            subject: { organization: subject.organization, commonName: subject.commonName },
            ...(subject.email ? { email: subject.email } : {}),
          };
        }
        return { device, version, user, identity };
      });
      if (!prepared) return null;
      if (typeof prepared === 'string') {
        renderFailed(command.deviceId, r, command.uuid, prepared);
        return null;
      }
      const { device, version, user, identity } = prepared;
      try {
        const payload = await signedConfigurationProfile(
          {
            serverId: deps.profiles.serverId(),
            configurationId: version.id,
            version: version.version,
            name: version.name,
            ...(version.description ? { description: version.description } : {}),
            organization: deps.profiles.organization(),
            lang: user?.locale ?? 'ja',
            target: device.platform === 'macos' ? 'macos' : 'ios',
            channel: (r.channel === 'device' ? 'device' : 'user') satisfies ConfigurationChannel,
            platforms: version.platforms.filter((p): p is 'ios' | 'macos' => p !== 'android'),
            spec: version.spec,
            office: deps.profiles.office(),
            ...(identity ? { identity } : {}),
          },
          deps.profiles.signer(),
          clock.now(),
        );
        return { RequestType: 'InstallProfile', Payload: payload };
      } catch (err) {
        if (!(err instanceof AppError)) deps.logError?.(err, 'a configuration profile could not be made');
        const error = err instanceof AppError ? err.message : 'The profile could not be made.';
        renderFailed(command.deviceId, r, command.uuid, error);
        return null;
      }
    },

    desiredForAgent(deviceId) {
      return transaction(() => {
        const device = deps.devices.byId(deviceId);
        if (!device || device.platform !== 'android') return [];
        reconcile(deviceId);
        const plan = desiredOf(device);
        return plan ? [...plan.desired.values()].map((d) => d.version) : [];
      });
    },

    recordAgentResults(deviceId, results: AgentConfigurationResult[], at) {
      transaction(() => {
        const device = deps.devices.byId(deviceId);
        if (!device || device.platform !== 'android') return;
        for (const res of results) {
          const row = store.get(deviceId, 'agent', res.configurationId);
          if (!row) continue;
          const details = {
            configurationId: res.configurationId,
            name: nameOf(res.configurationId),
            version: res.version,
            channel: 'agent',
          };
          if (res.status === 'removed') {
            if (row.state !== 'removing') continue;
            store.update(deviceId, 'agent', res.configurationId, {
              installed_version: null,
              state: 'removed',
              updated_at: at,
            });
            record('configuration.removed', device, details, deviceActor(device));
          } else if (row.desired_version === res.version && row.state === 'pending') {
            const failed = res.status === 'failed';
            const error = failed ? (res.message ?? 'The agent could not apply it.').slice(0, 500) : null;
            store.update(deviceId, 'agent', res.configurationId, {
              state: failed ? 'failed' : 'installed',
              ...(failed ? {} : { installed_version: res.version }),
              error,
              updated_at: at,
            });
            record(
              failed ? 'configuration.failed' : 'configuration.installed',
              device,
              failed ? { ...details, error } : details,
              deviceActor(device),
            );
          }
        }
      });
    },

    ofDevice(deviceId) {
      const device = deps.devices.byId(deviceId);
      if (!device || device.deleted_at)
        throw new AppError('DEVICE_NOT_FOUND', 'No device has this id.', { id: deviceId });
      const rank = (s: DeliveryState) => (s === 'removed' ? 1 : 0);
      return store
        .ofDevice(deviceId)
        .map(toDto)
        .sort((a, b) => rank(a.state) - rank(b.state) || a.configurationName.localeCompare(b.configurationName));
    },

    devicesOf(configurationId) {
      return store.ofConfiguration(configurationId).map((row) => ({
        ...toDto(row),
        deviceName: row.device_name,
        platform: row.platform as ConfigurationPlatform,
        userEmail: row.user_email,
      }));
    },

    counts() {
      const out = new Map<string, ConfigurationDto['counts']>();
      for (const { configuration_id, state, n } of store.counts()) {
        if (state === 'removed') continue;
        const c = out.get(configuration_id) ?? emptyCounts();
        c[state] = n;
        out.set(configuration_id, c);
      }
      return out;
    },
  };
  return service;
}
