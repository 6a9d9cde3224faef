// English texts of the macOS guided-install helper window (merged under `helper` in index.ts).
// vue-i18n message syntax: `{name}` is a parameter; a literal @ { } | $ must be written as {'@'} etc.
// macOS pane and button names arrive from the contract in English and are passed in as parameters.
import type { HelperAddressProblem, HelperSignInProblem } from '../../server/contract/helper.js';

/** The English helper messages; their key tree is the schema helper.ja.ts must match. */
const helperEn = {
  title: 'Tsunagu Helper',
  loading: 'Loading…',
  quit: 'Quit',
  close: 'Close',
  cancel: 'Cancel',
  retry: 'Try again',
  sendFailed: 'The helper did not respond. Try again.',
  header: {
    server: 'Server',
    connectedTo: 'Connected to {host}',
  },
  name: {
    quoted: '“{name}”',
    withLocal: '“{name}” ({local})',
  },
  unavailable: {
    title: 'Open this page in the Tsunagu Helper',
    body: 'This page only works inside the Tsunagu Helper app on a Mac. Open the Tsunagu Helper app, or follow the enrollment link your administrator sent you.',
  },
  failed: {
    title: 'The helper could not start',
    body: 'The window could not read what to show. Try again, or quit and open the Tsunagu Helper again.',
  },
  address: {
    title: 'Connect this Mac',
    intro: 'Enter the server address your IT administrator gave you. It starts with https://.',
    label: 'Server address',
    placeholder: 'https://enroll.example.com',
    submit: 'Continue',
    required: 'Enter the server address.',
    problems: {
      'bad-url': 'This is not a web address. Check it and type it again, e.g. https://enroll.example.com.',
      'not-https': 'The address must start with https:// so the connection is encrypted.',
      'bad-fingerprint': 'The security code in the link is damaged. Ask your administrator for the link again.',
      'bad-link': 'The link could not be read. Copy the whole link again, or type the server address.',
    } satisfies Record<HelperAddressProblem, string>,
  },
  connecting: {
    title: 'Connecting…',
    body: 'Contacting {host}.',
  },
  confirm: {
    title: 'Is this your organisation?',
    intro: 'Only continue if your IT administrator gave you this server.',
    organisation: 'Organisation',
    host: 'Server',
    fingerprint: 'Security fingerprint (SHA-256)',
    fingerprintHelp: 'If your administrator gave you a fingerprint, it must match this one exactly.',
    accept: 'Trust and continue',
    reject: 'This is not my organisation',
  },
  signIn: {
    title: 'Sign in',
    intro: 'Use the email address your administrator registered for you.',
    method: 'How to sign in',
    password: 'Password',
    pin: 'One-time PIN',
    email: 'Email address',
    currentPassword: 'Password',
    pinLabel: 'One-time PIN',
    pinHelp: 'The 6–8 digit PIN from your invitation email.',
    newPassword: 'New password',
    newPasswordHelp: 'At least 10 characters, not your email address.',
    confirmPassword: 'New password again',
    submit: 'Sign in',
    submitting: 'Signing in…',
    withLink: 'Signing you in with your invitation link…',
    errors: {
      required: 'Fill in this field.',
      email: "Enter an email address such as name{'@'}example.com.",
      pin: 'Enter the digits of the PIN (6 to 8).',
      short: 'Use at least 10 characters.',
      mismatch: 'The two passwords are different.',
    },
    problems: {
      'bad-credentials': 'The email address or the password (or PIN) is wrong.',
      'pin-expired': 'This PIN has expired. Ask your administrator for a new invitation.',
      'token-used': 'The invitation link was already used. Sign in with your password or your PIN.',
      locked: 'Too many attempts. Wait a few minutes, then try again.',
      'must-change-password': 'You must choose a new password: sign in with your one-time PIN and set one.',
      'password-rule':
        'This new password is not accepted: use at least 10 characters, and not your email address. Your PIN is still valid.',
      'session-expired': 'Your sign-in has expired. Please sign in again.',
      'directory-unavailable':
        'Your network password cannot be checked right now because the directory server is unreachable. Nothing is wrong with your password: try again in a few minutes.',
      'account-refused':
        'Your network account may no longer sign in here (it was removed from the allowed group or disabled). Ask your administrator.',
    } satisfies Record<HelperSignInProblem, string>,
  },
  checkingMac: {
    title: 'Checking this Mac…',
    body: 'The helper checks whether this Mac is already managed.',
  },
  elsewhere: {
    title: 'This Mac is managed by another server',
    body: 'This Mac is already enrolled with {host}. A Mac can be managed by only one management server at a time.',
    next: 'Ask your administrator to remove that enrollment, then try again.',
  },
  adminNeeded: {
    title: 'You will need an administrator',
    body: 'You are signed in to this Mac as a standard user. At the last step, macOS asks for an administrator’s name and password.',
    next: 'Ask someone who administers this Mac to be ready to type them for you.',
    continue: 'Continue',
  },
  downloading: {
    title: 'Getting your profile…',
    refreshing: 'Getting a fresh profile…',
    body: 'The helper downloads the enrollment profile for this Mac.',
  },
  downloadFailed: {
    title: 'The profile could not be downloaded',
    body: 'Check the network connection, then try again.',
  },
  installing: {
    title: 'Install the profile in System Settings',
    intro: 'System Settings is open beside this window. Follow these steps there:',
    steps: 'Steps',
    openPane: 'In System Settings, open {pane}.',
    openProfile: 'In the “Downloaded” section, double-click the “Tsunagu” profile.',
    openProfileNew: 'Click “Profile Downloaded” in the sidebar (or double-click the “Tsunagu” profile in {pane}).',
    clickContinue: 'Click {button}.',
    clickInstall: 'Click {button} (on some macOS versions it is called {other}).',
    password: 'Type the administrator’s name and password when macOS asks.',
    passwordWarnAdmin:
      'macOS then asks for an administrator’s name and password: type the ones you use to sign in to this Mac.',
    passwordWarnStandard:
      'macOS then asks for an administrator’s name and password. You are a standard user: your administrator must type them.',
    done: 'The helper notices by itself when the Mac is enrolled: keep this window open.',
    countdownLabel: 'Time left to install this profile',
    minutesLeft: 'No time left | 1 minute left to install the profile | {count} minutes left to install the profile',
    replaced: 'The previous profile was about to expire, so the helper fetched a fresh one. Use the newest profile.',
    reopen: 'Open System Settings again',
  },
  waiting: {
    title: 'Almost done…',
    body: 'The profile is installed. The helper is waiting for the server to confirm this Mac.',
  },
  enrolled: {
    title: 'This Mac is enrolled',
    installed: 'All done: your organisation now manages this Mac. You can close this window.',
    alreadyHere: 'This Mac was already enrolled with this server. Nothing else to do.',
  },
  cancelled: {
    title: 'Enrollment stopped',
    user: 'You cancelled the enrollment. This Mac was not changed.',
    quit: 'The helper was closed before the enrollment finished.',
    'server-rejected': 'You said this server is not your organisation, so the helper did not connect to it.',
    startAgain: 'Start again',
  },
  expired: {
    title: 'The profile has expired',
    body: 'The profile was not installed in time, so it no longer works. Get a fresh one and install it.',
    retry: 'Get a fresh profile',
  },
  networkLost: {
    title: 'The connection was lost',
    body: 'Check that this Mac is online (Wi-Fi or cable), then try again.',
  },
  mismatch: {
    title: 'Do not continue: the server’s identity changed',
    body: 'The server presented a different security fingerprint from the one this helper expected. Someone may be intercepting the connection.',
    next: 'Stop here and contact your administrator. Show them both fingerprints.',
    expected: 'Expected',
    presented: 'Presented by the server',
    unknown: 'Not known',
  },
  unreachable: {
    title: 'The server cannot be reached',
    body: 'Check the network connection and the server address, then try again.',
    detail: 'Details',
  },
  unreadable: {
    title: 'The helper could not check this Mac',
    body: 'macOS did not say whether this Mac is enrolled. Try again.',
  },
  unsupported: {
    title: 'This macOS version is not supported',
    body: 'This Mac runs macOS {version}. The helper needs macOS 13 or later.',
    portal: 'You can still enroll this Mac by following the manual steps on the enrollment portal.',
    openPortal: 'Open the portal’s manual steps',
    noPortal: 'Ask your administrator how to enroll this Mac.',
  },
};

export default helperEn;

/** The shape both languages' helper messages have. */
export type HelperMessages = typeof helperEn;
