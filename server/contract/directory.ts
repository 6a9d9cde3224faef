/** Which kind of directory the attribute mapping follows. */
export type DirectoryPreset = 'openldap' | 'active-directory';

/** Which attributes of a directory entry become which user fields. */
export interface DirectoryMapping {
  /** The stable unique id: `entryUUID` (OpenLDAP) or `objectGUID` (Active Directory). */
  uniqueId: string;
  email: string;
  displayName: string;
  /** The name people sign in with besides their email (`uid`, `sAMAccountName`). */
  login: string;
  /** The group attribute that lists member DNs (`member`). */
  groupMember: string;
  /** Active Directory's `userAccountControl`: bit 2 (ACCOUNTDISABLE) set means disabled there. */
  disabledFlag: 'none' | 'userAccountControl';
}

/** The attribute mapping each preset fills in (the console shows it, and it stays editable). */
export const DIRECTORY_PRESETS: Readonly<Record<DirectoryPreset, Readonly<DirectoryMapping>>> = Object.freeze({
  openldap: Object.freeze({
    uniqueId: 'entryUUID',
    email: 'mail',
    displayName: 'displayName',
    login: 'uid',
    groupMember: 'member',
    disabledFlag: 'none',
  }),
  'active-directory': Object.freeze({
    uniqueId: 'objectGUID',
    email: 'mail',
    displayName: 'displayName',
    login: 'sAMAccountName',
    groupMember: 'member',
    disabledFlag: 'userAccountControl',
  }),
});

/** The user filter each preset suggests. */
export const DIRECTORY_PRESET_USER_FILTERS: Readonly<Record<DirectoryPreset, string>> = Object.freeze({
  openldap: '(objectClass=inetOrgPerson)',
  'active-directory': '(&(objectCategory=person)(objectClass=user))',
});

/** The connector's settings as the console sees them: the bind password is never sent back. */
export interface DirectorySettingsDto {
  configured: boolean;
  /** `ldap://host[:port]` (always upgraded with StartTLS) or `ldaps://host[:port]`. */
  url: string;
  /** PEM certificates to trust for the directory's TLS (empty: the system's trust store). */
  caPem: string;
  bindDn: string;
  hasBindPassword: boolean;
  baseDn: string;
  userFilter: string;
  /** Selects groups; only their members are imported (empty: everyone the user filter matches). */
  groupFilter: string;
  preset: DirectoryPreset;
  mapping: DirectoryMapping;
  /** Minutes between scheduled syncs; 0: only "sync now". */
  syncIntervalMinutes: number;
  /** A run that would disable more than this share (percent) of the directory users stops and asks. */
  maxDisablePercent: number;
  updatedAt: string | null;
}

/** A change to the connector settings: `bindPassword` absent keeps the stored one, null removes it. */
export interface DirectorySettingsUpdate {
  url: string;
  caPem: string;
  bindDn: string;
  bindPassword?: string | null;
  baseDn: string;
  userFilter: string;
  groupFilter: string;
  preset: DirectoryPreset;
  mapping?: Partial<DirectoryMapping>;
  syncIntervalMinutes: number;
  maxDisablePercent: number;
}

/** What kind of failure a connection test or a run met. */
export type DirectoryProblemCode =
  | 'unreachable'
  | 'timeout'
  | 'tls'
  | 'bind_refused'
  | 'base_dn_missing'
  | 'no_matches'
  | 'no_groups'
  | 'too_many_entries'
  | 'protocol';

/** The certificate the directory presented, when TLS failed. */
export interface DirectoryCertificateDto {
  subject: string;
  issuer: string;
  fingerprint256: string;
  validTo: string;
}

/** One failure, said exactly. */
export interface DirectoryProblemDto {
  code: DirectoryProblemCode;
  message: string;
  certificate?: DirectoryCertificateDto;
}

/** The answer to "test connection". */
export interface DirectoryTestResult {
  ok: boolean;
  /** The checks in order, each passed or not; the first that failed is the last. */
  steps: { step: 'connect' | 'tls' | 'bind' | 'base_dn' | 'users' | 'groups'; ok: boolean; message: string }[];
  problem: DirectoryProblemDto | null;
}

/** One directory entry as it would become a user. */
export interface DirectoryPersonDto {
  externalId: string;
  dn: string;
  email: string;
  displayName: string;
  login: string;
  disabled: boolean;
}

/** A local user whose email a directory entry has: it can be linked (keeping its id, devices and history). */
export interface DirectoryLinkCandidate {
  userId: string;
  email: string;
  displayName: string;
  externalId: string;
}

/** What a run counts. */
export interface DirectoryRunCounts {
  entries: number;
  created: number;
  updated: number;
  linked: number;
  disabled: number;
  enabled: number;
  unchanged: number;
  /** Entries left out: no unique id or no valid email, or the email belongs to a local user not linked. */
  skipped: number;
}

/** The preview before an import: the first entries, the count, and the plan a run would carry out now. */
export interface DirectoryPreviewDto {
  count: number;
  first: DirectoryPersonDto[];
  linkable: DirectoryLinkCandidate[];
  plan: DirectoryRunCounts;
  /** The first entries left out, with why. */
  skippedEntries: { dn: string; reason: string }[];
}

/** A request to import or sync now. */
export interface DirectorySyncRequest {
  /** Local users (ids) to link to the directory entry with the same email. */
  link?: string[];
  /** The number of users to disable the admin confirmed (asked for when it is over the share). */
  confirmDisable?: number;
}

/** One import or sync, as recorded. */
export interface DirectoryRunDto {
  id: string;
  kind: 'import' | 'sync';
  trigger: 'admin' | 'schedule';
  /** Who started it: the admin's email (or the scheduler's label); null for runs recorded before this was kept. */
  startedBy: string | null;
  status: 'succeeded' | 'failed' | 'needs_confirmation';
  startedAt: string;
  finishedAt: string;
  counts: DirectoryRunCounts;
  errorCode: string | null;
  error: string | null;
}
