/** The steps of the console's setup wizard, in order. */
export const WIZARD_STEPS = ['organization', 'hostnames', 'ca', 'tls', 'push', 'mail', 'users'] as const;

/** One step of the setup wizard. */
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** Where the setup wizard is: kept on the server, so it resumes where the admin left it. */
export interface WizardStateDto {
  /** The step shown next ('checklist' once every step was done or skipped). */
  step: WizardStep | 'checklist';
  skipped: WizardStep[];
  finished: boolean;
}

/** Moves the wizard: to a step, marking a step skipped (or not), or finished. */
export interface WizardStateUpdate {
  step?: WizardStep | 'checklist';
  skip?: WizardStep;
  unskip?: WizardStep;
  finished?: boolean;
}

/** The organisation name certificates, profiles and invitation mail show. */
export interface OrganizationDto {
  name: string;
}

/** The device listener's host names: saved in the console, or fixed by TSUNAGU_HOSTNAMES (which wins). */
export interface HostnamesDto {
  names: string[];
  /** TSUNAGU_HOSTNAMES is set: the names come from it and the console cannot change them. */
  fromEnv: boolean;
  /** This machine's LAN addresses (IPv4, not loopback), which the TLS certificate also covers. */
  lanAddresses: string[];
  /** The device listener's base URL links use now. */
  deviceBaseUrl: string;
}

/** Whether the device listener answered on one name or address. */
export interface HostCheckDto {
  target: string;
  ok: boolean;
  /** What was wrong (DNS, connection, certificate), or the HTTP status. */
  detail: string;
}

/** The host check: every name and LAN address tried. */
export interface HostCheckResultDto {
  port: number | null;
  results: HostCheckDto[];
}

/** The state of one checklist item. */
export type ChecklistState = 'ok' | 'missing' | 'warning' | 'expired';

/**
 * One fact behind a checklist item, for the console to say in its own language: a message key and its values
 * (`until` is an ISO time; `detail` and `message` are a network's or a mail server's own words, shown as they are).
 */
export type ChecklistFactDto =
  | { key: 'orgSaved'; name: string }
  | { key: 'orgNotSet'; fallback: string }
  | { key: 'hostsNone' }
  | { key: 'hostAnswers'; target: string }
  | { key: 'hostFails'; target: string; detail: string }
  | { key: 'caValid'; name: string; until: string; fingerprint: string }
  | { key: 'tlsOffice'; names: string; until: string }
  | { key: 'tlsUncovered'; names: string }
  | { key: 'tlsPublic'; name: string; until: string }
  | { key: 'pushValid'; topic: string; until: string }
  | { key: 'pushCsrPending' }
  | { key: 'pushNone' }
  | { key: 'mailNotSet' }
  | { key: 'mailLastTest'; message: string }
  | { key: 'mailUntested' }
  | { key: 'usersInvited'; count: number }
  | { key: 'usersNone' };

/** One line of the setup checklist: what is configured and valid, what is missing, and where to fix it. */
export interface ChecklistItemDto {
  id: 'organization' | 'hostnames' | 'ca' | 'tls' | 'push' | 'mail' | 'users';
  state: ChecklistState;
  /** The facts behind the state (names, dates, topic), in order, for the console to put in words. */
  facts: ChecklistFactDto[];
  /** The same facts in English, for scripts and logs. */
  detail: string;
  /** The console route that fixes it. */
  link: string;
}

/** The setup checklist (offline: configuration and validity, not whether Apple's servers answer). */
export interface ChecklistDto {
  items: ChecklistItemDto[];
  allOk: boolean;
}
