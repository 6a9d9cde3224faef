import type { DeviceStatus } from '../contract/devices.js';
import type { ErrorCode } from '../contract/errors.js';

/** The languages of everything the server writes for people (pages, mails, device-facing errors). */
export type Lang = 'ja' | 'en';

/** One step of the instructions: a sentence, or a sentence with choices under it (by OS version). */
export type Step = string | { text: string; sub: readonly string[] };

/** The details of an error, which tell its variants apart. */
export type ErrorDetails = Record<string, unknown>;

/** The server's refusals that devices and their users see, in the portal and on the profile page. */
export type DeviceErrorCode = Extract<
  ErrorCode,
  | 'SIGN_IN_FAILED'
  | 'SIGN_IN_LOCKED'
  | 'PIN_LOCKED'
  | 'PIN_EXPIRED'
  | 'PIN_USED'
  | 'INVITATION_NOT_FOUND'
  | 'INVITATION_CLOSED'
  | 'ENROLLMENT_NOT_FOUND'
  | 'ENROLLMENT_EXPIRED'
  | 'ENROLLMENT_CLOSED'
  | 'VALIDATION_FAILED'
  | 'LINK_OUTDATED'
  | 'PUSH_NOT_CONFIGURED'
  | 'DEVICE_LIMIT'
  | 'PASSWORD_POLICY'
  | 'ORIGIN_REFUSED'
  | 'PASSWORD_CHANGE_REFUSED'
  | 'DIRECTORY_UNAVAILABLE'
  | 'DIRECTORY_ACCESS_REVOKED'
>;

/** Each device-facing refusal in one language; null where the server's own words are kept. */
export type DeviceErrorTexts = Record<DeviceErrorCode, (details: ErrorDetails) => string | null>;

/** The frame of every server-rendered page. */
export interface PageText {
  /** BCP 47 tag for dates and times. */
  locale: string;
  appName: string;
  /** The language link's label: the name of the other language, in that language. */
  otherLanguage: string;
}

/** The /go portal. */
export interface PortalText {
  signInTitle: string;
  signInIntro: string;
  pinHint: string;
  email: string;
  secret: string;
  /** A directory user's invitation: sign in with the network password. */
  directoryIntro: string;
  /** The field's label for a directory user, and for one whose invitation has a PIN too. */
  networkSecret: string;
  networkSecretOrPin: string;
  /** The generic page while a directory is connected: the email address or a network login name. */
  emailOrLogin: string;
  signIn: string;
  signOut: string;
  signedInAs: (name: string) => string;
  passwordTitle: string;
  /** The password page's title when a password is replaced (not the first one set after a PIN). */
  passwordChangeTitle: string;
  passwordIntro: string;
  password: string;
  confirm: string;
  mismatch: string;
  /** The label of the current password on the password form. */
  currentPassword: string;
  /** Why a session opened from a QR code shows no password form. */
  passwordQrSession: string;
  save: string;
  homeTitle: string;
  thisDevice: string;
  detected: (platform: string) => string;
  notThisPlatform: string;
  platforms: Record<'ios' | 'macos' | 'android' | 'other', string>;
  startEnroll: string;
  iosSteps: readonly Step[];
  iosHint: string;
  macSteps: readonly Step[];
  /** The Mac section's offer of the helper app (macOS 13 and later), above the steps without it. */
  helperTitle: string;
  /** What the helper does; it stands in the helper offer. */
  macHelper: string;
  /** The link that opens the helper with the deep link. */
  openInHelper: string;
  /** A custom scheme does nothing when the helper is missing: what to do then (with a download offered). */
  helperMissing: string;
  /** The same when the server has no helper build to offer. */
  helperMissingNoDownload: string;
  /** The download link: the file's kind (dmg, pkg, zip) and its size, already formatted. */
  downloadHelper: (kind: string, size: string) => string;
  /** The link's token is single-use and short-lived. */
  helperLinkOnce: (until: string) => string;
  /** The heading of the steps without the helper. */
  macManualTitle: string;
  androidSteps: readonly Step[];
  otherSteps: string;
  /** A device the user tried to enroll still belongs to another user: the enrollment waits for the admin. */
  claimWaiting: string;
  download: string;
  newProfile: string;
  countdownLabel: string;
  stateNone: string;
  stateValid: string;
  stateExpired: string;
  stateUsed: string;
  stateEnrolled: string;
  scepHint: string;
  myDevices: string;
  noDevices: string;
  reenroll: string;
  lastSeen: string;
  status: Record<DeviceStatus, string>;
  otherDevice: string;
  otherDeviceIntro: string;
  showQr: string;
  showAgentQr: string;
  qrExpires: (time: string) => string;
  back: string;
  errorTitle: string;
  outdatedTitle: string;
  outdated: string;
  unknownLink: string;
  sessionEnded: string;
  formInvalid: string;
}

/** The systems whose users are shown how to trust the office CA. */
export type TrustPlatform = 'ios' | 'macos' | 'android' | 'windows';

/** How to trust the office CA, per system: shared by the /trust page and the first-visit page. */
export interface TrustText {
  title: string;
  intro: string;
  /** Label of the CA's SHA-256 fingerprint, which the user compares with what the device shows. */
  fingerprint: string;
  /** Label of the CA certificate's name (its common name, as the device lists it). */
  caName: string;
  /** The certificate as plain files, for systems not listed. */
  files: string;
  continue: string;
  platforms: Record<TrustPlatform, string>;
  /** The download button of each system's section (a profile for Apple systems, the certificate otherwise). */
  downloads: Record<TrustPlatform, string>;
  steps: Record<TrustPlatform, readonly Step[]>;
}

/** The first-visit page on the plain-HTTP bootstrap listener: checks trust, shows the steps, hands on to HTTPS. */
export interface FirstVisitText {
  title: string;
  checking: string;
  opening: string;
  /** What the page says when this device does not trust the office CA yet. */
  untrusted: string;
  /** The button that checks again and continues. */
  done: string;
  /** A check again that still failed. */
  notYet: string;
  otherPlatform: string;
  allSteps: string;
  noScript: string;
  signIn: string;
}

/** The device listener's home page. */
export interface DeviceHomeText {
  title: string;
  body: string;
  trust: string;
  /** The link to the /trust page. */
  trustLink: string;
  fingerprint: string;
}

/** The page a refused /profile/<token> download shows. */
export interface ProfileErrorText {
  title: string;
  again: string;
}

/** The invitation and reminder email. */
export interface InvitationMailText {
  subject: (organization: string, reminder: boolean) => string;
  greeting: (name: string) => string;
  intro: (organization: string) => string;
  /** Subject and first paragraph of the email an admin's password reset sends. */
  resetSubject: (organization: string) => string;
  resetIntro: (organization: string) => string;
  reminder: string;
  link: string;
  pin: (pin: string, until: string) => string;
  noPin: string;
  /** What a directory (LDAP) user signs in with: the network password, never one set here. */
  directoryNoPin: string;
  /** Under a directory user's PIN: afterwards, the network password. */
  directoryAfterPin: string;
  expires: (when: string) => string;
  qr: string;
  steps: string;
  /** Said only while devices may not trust the office CA yet: the link checks trust first. */
  trustFirst: string;
  iphone: string;
  mac: string;
  android: string;
  lost: string;
  /** `lost` for a directory user. */
  directoryLost: string;
  footer: string;
}

/** The notification the Android agent shows while its enrollment waits for device-admin rights. */
export interface AgentReminderText {
  title: string;
  message: string;
}

/** The Android agent's steps for installing the office CA in Settings (the name and the start of its SHA-256 in two). */
export interface AgentOfficeCaText {
  intro: string;
  download: (name: string) => string;
  open: string;
  install: string;
  check: (sha256Start: string) => string;
}

/** Every server-side text of one language. */
export interface ServerText {
  page: PageText;
  portal: PortalText;
  trust: TrustText;
  firstVisit: FirstVisitText;
  deviceHome: DeviceHomeText;
  profileError: ProfileErrorText;
  invitationMail: InvitationMailText;
  errors: DeviceErrorTexts;
  agentReminder: AgentReminderText;
  agentOfficeCa: AgentOfficeCaText;
}
