import type {
  ConfigurationDetailDto,
  ConfigurationPlatform,
  DeliveryState,
  MacChannel,
} from '../../contract/configurations.js';
import type { Platform } from '../../contract/devices.js';
import type { ConfigurationSpec } from './configuration-profile.js';

// The identity challenges are the enrollment module's (it owns every SCEP challenge); named here with the other seams.
export type { ConfigurationIdentitySubject, IdentityChallenges } from '../enrollment/identity-challenges.js';

// The seams between the configuration library (configurations.service.ts, which owns the configurations tables),
// delivery (delivery.service.ts, which owns device_configurations) and the SCEP identities configurations carry.
// server/compose.ts wires them.

/** One version of a configuration as delivery needs it: content with its secrets opened. */
export interface ConfigurationVersion {
  id: string;
  name: string;
  description: string | null;
  kind: ConfigurationSpec['kind'];
  platforms: ConfigurationPlatform[];
  macChannel: MacChannel;
  version: number;
  spec: ConfigurationSpec;
}

/** What the library tells delivery (implemented by the library). */
export interface ConfigurationCatalog {
  /** The current versions of the live configurations assigned to a device of `platform` used by `userId`. */
  assignedTo(device: { platform: Platform; userId: string | null }): ConfigurationVersion[];
  /** One version (for rendering a queued install), or undefined when it does not exist. */
  version(configurationId: string, version: number): ConfigurationVersion | undefined;
  /** Name and kind of any configuration, deleted ones included (for the state lists). */
  describe(configurationId: string): { name: string; kind: ConfigurationSpec['kind'] } | undefined;
}

/** What the library asks of delivery after a change (implemented by delivery). */
export interface DeliveryPort {
  /**
   * Brings every device the configuration applies to, or applied to, in line with the library: installs for what is
   * missing or outdated, removals for what is no longer assigned (deleted configurations included). Runs in the
   * caller's transaction; wakes the devices afterwards.
   */
  reconcileConfiguration(configurationId: string): void;
  /** Device channels per configuration and delivery state (removed ones left out), for the library list. */
  counts(): Map<string, Record<Exclude<DeliveryState, 'removed'>, number>>;
  /** Every device channel a configuration is on or was on, for its detail page. */
  devicesOf(configurationId: string): ConfigurationDetailDto['devices'];
}

/** What the Android agent reports about one configuration it was given. */
export interface AgentConfigurationResult {
  configurationId: string;
  version: number;
  status: 'applied' | 'failed' | 'removed';
  /** The agent's words for a failure (at most 500 characters). */
  message?: string;
}

/** Delivery on the Android agent's channel ('agent'), implemented by delivery and used by the agent module. */
export interface AgentDelivery {
  /** The configurations the device's agent should have now (Wi-Fi only), marking new ones pending. */
  desiredForAgent(deviceId: string): ConfigurationVersion[];
  /** Records what the agent applied, failed or removed; results for versions no longer desired are ignored. */
  recordAgentResults(deviceId: string, results: AgentConfigurationResult[], at: string): void;
}
