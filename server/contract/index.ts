/** The admin API contract: DTOs and error codes shared by the server, the console and Electron. */
export type * from './errors.js';
export type * from './auth.js';
export type * from './users.js';
export type * from './settings.js';
export type * from './audit.js';
export type * from './ipc.js';
export type * from './push.js';
export type * from './devices.js';
export type * from './enrollment.js';
export type * from './tls.js';
export type * from './mail.js';
export type * from './invitations.js';
export type * from './agent.js';
