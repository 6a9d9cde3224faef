import type { ServerText } from './types.js';

/** Every server-side text in English. */
export const en: ServerText = {
  page: {
    locale: 'en-GB',
    appName: 'Tsunagu device enrollment',
    otherLanguage: '日本語',
  },
  portal: {
    signInTitle: 'Sign in',
    signInIntro: 'Enter your work email address and your password, or the PIN from your invitation email.',
    pinHint: 'First time here? Enter the PIN from your invitation email.',
    email: 'Email address',
    secret: 'Password or PIN',
    directoryIntro:
      'Sign in with your email address (or your network login name) and your network password: the one you use to sign in to your work computer.',
    networkSecret: 'Network password',
    networkSecretOrPin: 'Network password or PIN',
    emailOrLogin: 'Email address or network login name',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedInAs: (name: string) => `Signed in as ${name}`,
    passwordTitle: 'Set your password',
    passwordChangeTitle: 'Change your password',
    passwordIntro:
      'You will sign in with this password from now on. Use at least 10 characters, different from your email address.',
    password: 'New password',
    confirm: 'Repeat the password',
    mismatch: 'The two passwords differ.',
    currentPassword: 'Current password',
    passwordQrSession:
      'You signed in on this device with a QR code, so the password cannot be changed here. Sign in with your password on this device to change it.',
    save: 'Save',
    homeTitle: 'Device enrollment',
    thisDevice: 'Enroll this device',
    detected: (p: string) => `This device: ${p}`,
    notThisPlatform: 'A different kind of device?',
    platforms: { ios: 'iPhone / iPad', macos: 'Mac', android: 'Android', other: 'Other' },
    startEnroll: 'Start enrollment',
    iosSteps: [
      'Tap "Download profile" and choose Allow.',
      'Within 8 minutes, open the Settings app and tap "Profile Downloaded".',
      'Tap Install, enter your passcode, and finish.',
    ],
    iosHint: 'No "Profile Downloaded" in Settings? Open Settings > General > VPN & Device Management.',
    macSteps: [
      'Click "Download profile".',
      {
        text: 'Open the downloaded profile in settings:',
        sub: [
          'macOS 15 and later: open System Settings > General > Device Management (or "Profile Downloaded" at the top of the sidebar) and double-click the profile.',
          'macOS 13 and 14: open System Settings > Privacy & Security > Profiles and double-click the profile under Downloaded.',
          'macOS 11 and 12: open System Preferences > Profiles, select the profile and click Install….',
        ],
      },
      'Click Continue, then Enroll or Install, and enter your Mac password.',
    ],
    helperTitle: 'With the Tsunagu Helper (macOS 13 or later)',
    macHelper:
      'The Tsunagu Helper app signs you in, walks you through the steps on screen and notices when you are done.',
    openInHelper: 'Open in Tsunagu Helper (macOS 13 or later)',
    helperMissing:
      'If nothing happens when you click it, the helper is not installed on this Mac: download it below, open it once, then click the button again. Or use the steps without the helper.',
    helperMissingNoDownload:
      'If nothing happens when you click it, the helper is not installed on this Mac: use the steps without the helper below.',
    downloadHelper: (kind: string, size: string) => `Download Tsunagu Helper (.${kind}, ${size})`,
    helperLinkOnce: (until: string) =>
      `The button signs the helper in once, until ${until}. After that, reload this page for a new one.`,
    macManualTitle: 'Without the helper (macOS 11 and 12, or when the helper is not installed)',
    androidSteps: [
      'Install the Tsunagu agent app (the way your administrator told you).',
      'Open the app and sign in with your work email address and password (the first time, the PIN from your invitation email).',
      'If you are viewing this page on another screen, such as a computer, you can instead tap "Enroll with a QR code" in the app and scan the code from "Show the agent QR code" below (valid once, for 10 minutes).',
    ],
    otherSteps: 'The kind of this device could not be detected. Choose it above.',
    claimWaiting:
      'A device you tried to enroll is still enrolled for another user, so the enrollment waits for your administrator to assign it to you. Contact your administrator; once they have, download a new profile and enroll again.',
    download: 'Download profile',
    newProfile: 'Get a new profile',
    countdownLabel: 'Time left to install this profile',
    stateNone: 'You have not downloaded a profile yet.',
    stateValid: 'The profile is waiting to be installed. Install it before the time runs out.',
    stateExpired: 'This profile has expired. Installing it will fail, so get a new profile with the button below.',
    stateUsed: "This profile's certificate has already been used. If enrollment did not finish, get a new profile.",
    stateEnrolled: 'Enrollment is complete. This device is now managed.',
    scepHint:
      'If the device says "The SCEP server returned an invalid response", the profile has expired: get a new profile.',
    myDevices: 'My devices',
    noDevices: 'No devices are enrolled yet.',
    reenroll: 'Re-enroll',
    lastSeen: 'Last seen',
    status: { pending: 'Pending', active: 'Active', inactive: 'Inactive', wiped: 'Wiped', reset: 'Reset' },
    otherDevice: 'Sign in on another device',
    otherDeviceIntro:
      "Scan with another device's camera to open this page there without signing in. Valid once, for 10 minutes.",
    showQr: 'Show a sign-in QR code',
    showAgentQr: 'Show the agent QR code',
    qrExpires: (t: string) => `Valid until ${t}`,
    back: 'Back',
    errorTitle: 'This page cannot be opened',
    outdatedTitle: 'This link is out of date',
    outdated:
      'Your administrator changed the enrollment address, so this link no longer works. Use the link in your newest invitation email, or ask your administrator for the current address.',
    unknownLink: 'This address is not an enrollment page. Check the link in your invitation email.',
    sessionEnded: 'Your sign-in has ended. Please sign in again.',
    formInvalid: 'The form could not be read. Open the page again, then try again.',
  },
  trust: {
    title: 'Trust the office certificate',
    intro:
      "The enrollment server uses a certificate from your office's own certificate authority (CA). Until a device trusts this CA, its browser stops at a warning before the enrollment page. Do the steps for your device once, before you open the enrollment page.",
    fingerprint:
      'SHA-256 fingerprint: check that your device shows the same value (it may use spaces instead of colons).',
    caName: 'Certificate name',
    files: 'The certificate as a file, for other systems',
    continue: 'Continue to the enrollment page',
    platforms: { ios: 'iPhone / iPad', macos: 'Mac', android: 'Android', windows: 'Windows' },
    downloads: {
      ios: 'Download the profile',
      macos: 'Download the profile',
      android: 'Download the certificate',
      windows: 'Download the certificate',
    },
    steps: {
      ios: [
        'Open this page in Safari (other browsers cannot install profiles), tap "Download the profile" and choose Allow.',
        'Open the Settings app and tap "Profile Downloaded" near the top (or General > VPN & Device Management, then the profile under Downloaded Profile).',
        'Tap More Details and the certificate, and check that its SHA-256 fingerprint is the one on this page. Go back, tap Install, enter your passcode and tap Install again.',
        'Open Settings > General > About > Certificate Trust Settings, turn on this certificate under "Enable full trust for root certificates" and tap Continue. Until you do, iOS does not trust a certificate installed from a profile for web sites.',
      ],
      macos: [
        'Click "Download the profile".',
        {
          text: 'Open the downloaded profile in settings, check in its details that the SHA-256 fingerprint is the one on this page, click Install and enter your Mac password:',
          sub: [
            'macOS 15 and later: System Settings > General > Device Management (or "Profile Downloaded" at the top of the sidebar); double-click the profile.',
            'macOS 13 and 14: System Settings > Privacy & Security > Profiles; double-click the profile under Downloaded.',
            'macOS 11 and 12: System Preferences > Profiles; select the profile and click Install….',
          ],
        },
        'If the browser still warns about the certificate: open Keychain Access (search for it with Spotlight), double-click the certificate in the System keychain (its name is on this page), open Trust, set "When using this certificate" to Always Trust, close the window and enter your password. Then quit the browser and open it again.',
      ],
      android: [
        'Tap "Download the certificate". It is saved in Downloads.',
        'Open Settings > Security & privacy > More security settings > Encryption & credentials > Install a certificate > CA certificate, confirm the warning, and pick the downloaded file. Menu names differ between makers (Samsung: Security and privacy > More security settings > Install from device storage); if you cannot find it, search Settings for "CA certificate".',
        'To check it, open Encryption & credentials > Trusted credentials > User, tap the certificate and compare its SHA-256 fingerprint with the one on this page.',
        'Open the enrollment page in Chrome: some other browsers do not use certificates installed this way.',
      ],
      windows: [
        'Click "Download the certificate" and open the downloaded file.',
        'On the Details tab, check that its name is the one on this page. Click Install Certificate, choose Local Machine (you need administrator rights) and click Next.',
        'Choose "Place all certificates in the following store", click Browse, pick Trusted Root Certification Authorities, then click Next and Finish.',
        'Quit the browser and open it again.',
      ],
    },
  },
  firstVisit: {
    title: 'Open the enrollment page',
    checking: 'Checking whether this device can open the enrollment page securely…',
    opening: 'Opening the enrollment page…',
    untrusted:
      'This device does not trust the office certificate yet, so the browser would stop at a warning before the enrollment page. Do these steps once, then come back to this page.',
    done: 'I have done this, continue',
    notYet:
      'This device still does not trust the office certificate. Check that every step is done, then try again. If it still does not continue, make sure this device is connected to the office network.',
    otherPlatform: 'A different kind of device?',
    allSteps: 'Steps for every system, and the certificate files',
    noScript:
      'This page needs JavaScript to check the connection. Follow the steps on the certificate page, then open the sign-in page and sign in with your email address and the PIN from your invitation email.',
    signIn: 'Open the sign-in page',
  },
  deviceHome: {
    title: 'Device enrollment',
    body: 'Open the link in the invitation email from your office on this device.',
    trust:
      'If the browser showed a certificate warning before this page, this device does not trust the office certificate yet.',
    trustLink: 'How to trust the office certificate',
    fingerprint: 'SHA-256 fingerprint of the office certificate',
  },
  profileError: {
    title: 'The profile cannot be downloaded',
    again: 'Start again from the link in your invitation email.',
  },
  invitationMail: {
    subject: (org: string, reminder: boolean) =>
      reminder ? `Reminder: enroll your device for ${org}` : `Enroll your device for ${org}`,
    greeting: (name: string) => `Hello ${name},`,
    intro: (org: string) =>
      `You are invited to enroll your work device with ${org}. Open the link below on the iPhone, iPad, Mac or Android device you want to enroll.`,
    resetSubject: (org: string) => `Choose a new password for ${org}`,
    resetIntro: (org: string) =>
      `Your administrator at ${org} reset your password; the old one no longer works. Open the link below, sign in with your email address and the PIN, and choose a new password. You can then enroll or manage your devices as before.`,
    reminder: 'Your enrollment is not finished yet. Please complete it with the link below.',
    link: 'Enrollment page',
    pin: (pin: string, until: string) => `PIN for your first sign-in: ${pin} (valid until ${until}, works once)`,
    noPin: 'Sign in with your email address and password.',
    directoryNoPin:
      'Sign in with your email address (or your network login name) and your network password: the one you use to sign in to your work computer. You do not set a password here.',
    directoryAfterPin:
      'After that, sign in with your network password: the one you use to sign in to your work computer. You do not set a password here.',
    expires: (when: string) => `This invitation expires: ${when}`,
    qr: "You can also open the enrollment page by scanning this QR code with another device's camera.",
    steps: 'Next steps',
    trustFirst:
      'The link first checks that your device trusts the office certificate; if it does not yet, the page shows the steps for your device.',
    iphone:
      'iPhone / iPad: open the link in Safari, sign in and tap "Download profile". Within 8 minutes, open Settings > Profile Downloaded and install it.',
    mac: 'Mac: open the link in Safari, sign in and download the profile. Install it in System Settings > Privacy & Security > Profiles (macOS 13-14) or General > Device Management (macOS 15 and later).',
    android: 'Android: open the link in Chrome, sign in, install the Tsunagu agent as shown, and scan the QR code.',
    lost: 'If you lose this email, the same enrollment page works with your email address and password.',
    directoryLost:
      'If you lose this email, the same enrollment page works with your email address and network password.',
    footer: 'If you did not expect this email, please contact your administrator.',
  },
  errors: {
    SIGN_IN_FAILED: (d) =>
      d.secret === 'current'
        ? 'The current password is wrong.'
        : d.secret === 'pin'
          ? 'The email address or PIN is wrong.'
          : 'The email address or password is wrong.',
    SIGN_IN_LOCKED: (d) =>
      `Too many failed sign-ins. Wait ${Math.max(1, Math.ceil(Number(d.retryAfterSeconds ?? 60) / 60))} minute(s) and try again, or ask your administrator.`,
    // The server's own words say whether this very try locked the PIN.
    PIN_LOCKED: () => null,
    PIN_EXPIRED: () => 'This PIN has expired. Ask your administrator for a new PIN.',
    PIN_USED: () => 'This PIN was already used. Sign in with your password, or ask your administrator for a new PIN.',
    INVITATION_NOT_FOUND: () =>
      'This invitation link is not valid. It may have been replaced by a newer email; use the newest one, or sign in with your email address and password.',
    INVITATION_CLOSED: (d) =>
      d.reason === 'revoked'
        ? 'This invitation was withdrawn by your administrator. Ask them for a new one.'
        : 'This invitation has expired. Ask your administrator to send a new one.',
    ENROLLMENT_NOT_FOUND: () => 'This enrollment link is not valid. Ask your administrator for a new invitation.',
    ENROLLMENT_EXPIRED: () => 'This enrollment link has expired. Ask your administrator for a new invitation.',
    ENROLLMENT_CLOSED: (d) =>
      (
        ({
          enrolled:
            'A device was already enrolled with this link. To enroll another device, start again from your invitation.',
          user: 'This user cannot enroll devices now. Ask your administrator.',
        }) as Record<string, string>
      )[String(d.reason)] ?? 'This enrollment was closed. Ask your administrator for a new invitation.',
    VALIDATION_FAILED: (d) =>
      d.reason === 'android'
        ? 'This enrollment is for an Android device; install the Tsunagu agent instead of a profile.'
        : d.reason === 'current_required'
          ? 'Enter your current password to change it.'
          : null,
    LINK_OUTDATED: () => 'This QR code was already used or has expired. Show a new one on your signed-in device.',
    PUSH_NOT_CONFIGURED: () =>
      'The server has no Apple push certificate yet, so Apple devices cannot enroll. Ask your administrator to upload it.',
    DEVICE_LIMIT: (d) =>
      `You already have the most devices allowed (${String(d.limit ?? '')}). Ask your administrator.`,
    PASSWORD_POLICY: (d) =>
      (
        ({
          too_short: `The password must be at least ${String(d.min ?? 10)} characters long.`,
          too_long: 'The password is too long.',
          is_email: 'The password must not be the email address or its name part.',
        }) as Record<string, string>
      )[String(d.rule)] ?? null,
    ORIGIN_REFUSED: () =>
      'This form was sent from another web site, so it was not accepted. Open this page again, then try again.',
    PASSWORD_CHANGE_REFUSED: (d) =>
      d.reason === 'directory'
        ? 'You sign in with your network password. It is changed in your organization’s directory (as on your computer), not here.'
        : 'You signed in on this device with a QR code, so the password cannot be changed here. Sign in with your password on this device to change it.',
    DIRECTORY_UNAVAILABLE: () =>
      'Your network password cannot be checked right now because the directory server is unreachable. Nothing is wrong with your password: try again in a few minutes.',
    DIRECTORY_ACCESS_REVOKED: (d) =>
      `You cannot sign in here any more: ${
        (
          {
            left: 'your account is no longer among the directory accounts this service accepts',
            disabled: 'your account is disabled in the directory',
            not_in_group: 'your account is no longer in a group that may enroll devices',
          } as Record<string, string>
        )[String(d.reason)] ?? 'your directory account is no longer allowed'
      }. Ask your administrator.`,
  },
  agentReminder: {
    title: 'Enrollment is not finished',
    message:
      'Open the Tsunagu agent and turn on "device admin app". It lets your administrator lock or erase this device if it is lost.',
  },
  agentOfficeCa: {
    intro: 'Android 11 and later let no app install a CA certificate, so you install the office CA yourself:',
    download: (name) => `Download the certificate "${name}" from the Tsunagu agent.`,
    open: 'Open Settings > Security (on some phones Security & privacy > More security settings) > Encryption & credentials.',
    install: 'Tap Install a certificate > CA certificate, then Install anyway, and choose the downloaded file.',
    check: (sha256Start) =>
      `Check under Trusted credentials > User that its SHA-256 fingerprint starts with ${sha256Start}.`,
  },
};
