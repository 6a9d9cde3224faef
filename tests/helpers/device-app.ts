import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildDeviceApp } from '../../server/app.js';
import type { TestFoundation } from './foundation.js';

/** The base URL the device app built by `deviceApp` believes it listens on. */
export const DEVICE_BASE_URL = 'https://tsunagu.test:8443';

/**
 * The HTTPS device listener's app exactly as the server builds it (body limits, error handler, not-found
 * handler, validation), over a test foundation's services; drive it with `inject`, it does not listen.
 */
export async function deviceApp(f: TestFoundation): Promise<FastifyInstance> {
  const tls = f.services.ca.ensureTlsCredential({ dnsNames: ['tsunagu.test'], ipAddresses: [] });
  const app = await buildDeviceApp({
    services: f.services,
    logger: pino({ level: 'silent' }),
    consoleDir: null,
    adminTls: null,
    deviceTls: { key: tls.keyPem, cert: `${tls.certPem}${tls.chainPem}` },
    deviceBaseUrl: () => DEVICE_BASE_URL,
    bootstrapBaseUrl: () => 'http://tsunagu.test:8080',
    version: 'test',
  });
  await app.ready();
  return app;
}
