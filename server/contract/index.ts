/** The admin API contract: DTOs, error codes and the few constants shared by the server, the console and Electron. */
export type * from './errors.js';
export type * from './auth.js';
export type * from './users.js';
export type * from './settings.js';
export * from './audit.js';
export type * from './ipc.js';
export type * from './helper.js';
export type * from './helper-api.js';
export type * from './push.js';
export type * from './devices.js';
export type * from './enrollment.js';
export type * from './tls.js';
export type * from './mail.js';
export * from './invitations.js';
export * from './agent.js';
export * from './backup.js';
export * from './dashboard.js';
export * from './live.js';
