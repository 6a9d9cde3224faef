// The configurations endpoints: the library (list, one with its devices, add, edit, delete), the restriction
// catalogue, and one device's configurations.
import type {
  ConfigurationDetailDto,
  ConfigurationDto,
  ConfigurationInput,
  ConfigurationListDto,
  DeviceConfigurationDto,
  RestrictionOptionDto,
} from '../../server/contract/index.js';
import type { ApiClient } from './client.js';

/** The configurations endpoints. */
export interface ConfigurationsApi {
  list(): Promise<ConfigurationListDto>;
  /** One configuration and its state on every device. */
  detail(id: string): Promise<ConfigurationDetailDto>;
  create(input: ConfigurationInput): Promise<ConfigurationDto>;
  /** Secrets and an uploaded profile left out of `input` keep the stored ones. */
  update(id: string, input: ConfigurationInput): Promise<ConfigurationDto>;
  /** Deletes it and removes it from every device. */
  remove(id: string): Promise<void>;
  /** The restrictions on offer, with their support on unsupervised devices. */
  restrictions(): Promise<{ items: RestrictionOptionDto[] }>;
  /** The configurations of one device, per channel. */
  ofDevice(deviceId: string): Promise<DeviceConfigurationDto[]>;
}

/** Builds the configurations endpoints over a client. */
export function createConfigurationsApi(client: ApiClient): ConfigurationsApi {
  const one = (id: string) => `/api/configurations/${encodeURIComponent(id)}`;
  return {
    list: () => client.get('/api/configurations'),
    detail: (id) => client.get(one(id)),
    create: (input) => client.post('/api/configurations', input),
    update: (id, input) => client.put(one(id), input),
    remove: (id) => client.delete(one(id)),
    restrictions: () => client.get('/api/configurations/restrictions'),
    ofDevice: async (deviceId) =>
      (
        await client.get<{ items: DeviceConfigurationDto[] }>(
          `/api/devices/${encodeURIComponent(deviceId)}/configurations`,
        )
      ).items,
  };
}
