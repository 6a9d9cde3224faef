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

/** One line of the setup checklist: what is configured and valid, what is missing, and where to fix it. */
export interface ChecklistItemDto {
  id: 'organization' | 'hostnames' | 'ca' | 'tls' | 'push' | 'mail' | 'users';
  state: ChecklistState;
  /** Plain facts for the console to show (names, dates, topic); English. */
  detail: string;
  /** The console route that fixes it. */
  link: string;
}

/** The setup checklist (offline: configuration and validity, not whether Apple's servers answer). */
export interface ChecklistDto {
  items: ChecklistItemDto[];
  allOk: boolean;
}
