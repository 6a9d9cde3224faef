import type { ErrorCode } from '../../contract/errors.js';

/** Every string of the /go portal, in Japanese and English. */
export const PORTAL_TEXT = {
  ja: {
    appName: 'Tsunagu デバイス登録',
    signInTitle: 'サインイン',
    signInIntro: '会社のメールアドレスと、パスワードまたは招待メールの PIN を入力してください。',
    pinHint: '初めての方は、招待メールに書かれた PIN を入力してください。',
    email: 'メールアドレス',
    secret: 'パスワードまたは PIN',
    signIn: 'サインイン',
    signOut: 'サインアウト',
    signedInAs: (name: string) => `${name} さんとしてサインイン中`,
    passwordTitle: 'パスワードを設定',
    passwordIntro:
      '次回からはこのパスワードでサインインします。10 文字以上で、メールアドレスとは違うものにしてください。',
    password: '新しいパスワード',
    confirm: 'もう一度入力',
    mismatch: '2 つのパスワードが一致しません。',
    save: '保存',
    homeTitle: 'デバイス登録',
    thisDevice: 'この端末を登録する',
    detected: (p: string) => `この端末: ${p}`,
    notThisPlatform: '別の種類の端末ですか？',
    platforms: { ios: 'iPhone / iPad', macos: 'Mac', android: 'Android', other: 'その他' },
    startEnroll: '登録を始める',
    iosSteps: [
      '「プロファイルをダウンロード」をタップし、「許可」を選びます。',
      '8 分以内に「設定」アプリを開き、「プロファイルがダウンロードされました」をタップします。',
      '「インストール」をタップし、パスコードを入力して完了します。',
    ],
    iosHint:
      '「プロファイルがダウンロードされました」が見つからない場合は、「設定」>「一般」>「VPN とデバイス管理」を開きます。',
    macSteps: [
      '「プロファイルをダウンロード」をクリックします。',
      {
        text: 'ダウンロードしたプロファイルを設定で開きます:',
        sub: [
          'macOS 15 以降: システム設定 > 一般 > デバイス管理（またはサイドバー上部の「プロファイルがダウンロードされました」）を開き、プロファイルをダブルクリックします。',
          'macOS 13・14: システム設定 > プライバシーとセキュリティ > プロファイル を開き、「ダウンロード済み」のプロファイルをダブルクリックします。',
          'macOS 11・12: システム環境設定 > プロファイル を開き、プロファイルを選んで「インストール…」をクリックします。',
        ],
      },
      '「続ける」を押し、「登録」または「インストール」をクリックして、Mac のパスワードを入力します。',
    ],
    macHelper:
      'Tsunagu ヘルパーアプリを使うと、この手順を画面で案内し、完了も自動で確認します (管理者から配布されている場合)。',
    androidSteps: [
      'Tsunagu エージェントアプリをインストールします (管理者から案内された方法で)。',
      'アプリを開いて、会社のメールアドレスとパスワード (初回は招待メールの PIN) でサインインします。',
      'パソコンなど別の画面でこのページを開いている場合は、アプリの「QR コードで登録」で、下の「エージェント用 QR コードを表示」の QR コードを読み取っても登録できます (10 分間・1 回だけ有効)。',
    ],
    otherSteps: 'この端末の種類は自動では判別できませんでした。上で端末の種類を選んでください。',
    download: 'プロファイルをダウンロード',
    newProfile: '新しいプロファイルを取得',
    countdownLabel: 'このプロファイルの有効期限まで',
    stateNone: 'まだプロファイルをダウンロードしていません。',
    stateValid: 'プロファイルはインストール待ちです。時間内にインストールしてください。',
    stateExpired:
      'このプロファイルは期限切れです。インストールしても失敗するので、下のボタンで新しいプロファイルを取得してください。',
    stateUsed:
      'このプロファイルの証明書はすでに使われました。登録が完了しない場合は、新しいプロファイルを取得してください。',
    stateEnrolled: '登録が完了しました。この端末は管理対象になりました。',
    scepHint:
      '「SCEP サーバが無効な応答を返しました」と表示された場合は、プロファイルの期限切れです。新しいプロファイルを取得してください。',
    myDevices: '登録済みの端末',
    noDevices: 'まだ登録された端末はありません。',
    reenroll: '再登録',
    lastSeen: '最終接続',
    status: { pending: '登録待ち', active: '有効', inactive: '無効', wiped: 'ワイプ済み', reset: 'リセット' },
    otherDevice: '別の端末でサインイン',
    otherDeviceIntro: '別の端末のカメラで読み取ると、サインインなしでこのページを開けます。10 分間・1 回だけ有効です。',
    showQr: 'サインイン用 QR コードを表示',
    showAgentQr: 'エージェント用 QR コードを表示',
    qrExpires: (t: string) => `有効期限: ${t}`,
    back: '戻る',
    errorTitle: 'このページは開けません',
    outdatedTitle: 'このリンクは古くなっています',
    outdated:
      '管理者が登録用アドレスを新しくしたため、このリンクは使えなくなりました。最新の招待メールのリンクを使うか、管理者に新しいアドレスを問い合わせてください。',
    unknownLink: 'このアドレスは登録ページではありません。招待メールのリンクをもう一度確認してください。',
    sessionEnded: 'サインインの有効期限が切れました。もう一度サインインしてください。',
    tooMany: 'サインインの失敗が続いたため、しばらくロックされています。',
    lang: 'English',
  },
  en: {
    appName: 'Tsunagu device enrollment',
    signInTitle: 'Sign in',
    signInIntro: 'Enter your work email address and your password, or the PIN from your invitation email.',
    pinHint: 'First time here? Enter the PIN from your invitation email.',
    email: 'Email address',
    secret: 'Password or PIN',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signedInAs: (name: string) => `Signed in as ${name}`,
    passwordTitle: 'Set your password',
    passwordIntro:
      'You will sign in with this password from now on. Use at least 10 characters, different from your email address.',
    password: 'New password',
    confirm: 'Repeat the password',
    mismatch: 'The two passwords differ.',
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
    macHelper:
      'The Tsunagu helper app walks you through these steps on screen and notices when you are done (if your administrator provides it).',
    androidSteps: [
      'Install the Tsunagu agent app (the way your administrator told you).',
      'Open the app and sign in with your work email address and password (the first time, the PIN from your invitation email).',
      'If you are viewing this page on another screen, such as a computer, you can instead tap "Enroll with a QR code" in the app and scan the code from "Show the agent QR code" below (valid once, for 10 minutes).',
    ],
    otherSteps: 'The kind of this device could not be detected. Choose it above.',
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
    tooMany: 'Too many failed sign-ins: sign-in is locked for a while.',
    lang: '日本語',
  },
} as const;

/** The portal languages. */
export type PortalLang = keyof typeof PORTAL_TEXT;

/** One step of the instructions: a sentence, or a sentence with choices under it (by OS version). */
export type PortalStep = string | { text: string; sub: readonly string[] };

/** A refusal to show on a portal page: the server's error (code, English message, details), or a sentence of the portal's own. */
export type PortalError = string | { code: ErrorCode; message: string; details?: Record<string, unknown> | undefined };

type Details = Record<string, unknown>;

// The server's refusals in Japanese, by stable code (and the detail that tells variants apart).
const ERRORS_JA: Partial<Record<ErrorCode, (d: Details) => string | null>> = {
  SIGN_IN_FAILED: (d) =>
    d.secret === 'pin'
      ? 'メールアドレスまたは PIN が正しくありません。'
      : 'メールアドレスまたはパスワードが正しくありません。',
  SIGN_IN_LOCKED: (d) =>
    `サインインの失敗が続いたため、しばらくロックされています。${Math.max(1, Math.ceil(Number(d.retryAfterSeconds ?? 60) / 60))} 分待ってからもう一度お試しいただくか、管理者にお問い合わせください。`,
  PIN_LOCKED: () =>
    '入力の誤りが続いたため、この PIN はロックされました。管理者に新しい PIN を発行してもらってください。',
  PIN_EXPIRED: () => 'この PIN は有効期限が切れています。管理者に新しい PIN を発行してもらってください。',
  PIN_USED: () =>
    'この PIN はすでに使われています。パスワードでサインインするか、管理者に新しい PIN を発行してもらってください。',
  INVITATION_NOT_FOUND: () =>
    'この招待リンクは無効です。新しいメールで置き換えられた可能性があります。最新の招待メールのリンクを使うか、メールアドレスとパスワードでサインインしてください。',
  INVITATION_CLOSED: (d) =>
    d.reason === 'revoked'
      ? 'この招待は管理者によって取り消されました。管理者に新しい招待を依頼してください。'
      : 'この招待は有効期限が切れています。管理者に新しい招待を送ってもらってください。',
  ENROLLMENT_NOT_FOUND: () => 'この登録用リンクは無効です。招待からやり直すか、管理者に新しい招待を依頼してください。',
  ENROLLMENT_EXPIRED: () => 'この登録用リンクは有効期限が切れています。管理者に新しい招待を依頼してください。',
  ENROLLMENT_CLOSED: (d) =>
    (
      ({
        enrolled:
          'このリンクではすでにデバイスが登録されています。別のデバイスを登録するには、招待からやり直してください。',
        user: '現在このユーザーはデバイスを登録できません。管理者にお問い合わせください。',
      }) as Record<string, string>
    )[String(d.reason)] ?? 'この登録は終了しています。管理者に新しい招待を依頼してください。',
  VALIDATION_FAILED: (d) =>
    d.reason === 'android'
      ? 'この登録は Android デバイス用です。プロファイルではなく Tsunagu エージェントアプリを使ってください。'
      : null,
  LINK_OUTDATED: () =>
    'この QR コードは使用済みか、有効期限が切れています。サインイン中の端末で新しい QR コードを表示してください。',
  PUSH_NOT_CONFIGURED: () =>
    'サーバーに Apple プッシュ証明書がまだないため、Apple デバイスを登録できません。管理者にお問い合わせください。',
  DEVICE_LIMIT: (d) =>
    `登録できるデバイスの上限（${String(d.limit ?? '')} 台）に達しています。管理者にお問い合わせください。`,
  PASSWORD_POLICY: (d) =>
    (
      ({
        too_short: `パスワードは ${String(d.min ?? 10)} 文字以上にしてください。`,
        too_long: 'パスワードが長すぎます。',
        is_email: 'パスワードには、メールアドレスやその @ より前の部分を使わないでください。',
      }) as Record<string, string>
    )[String(d.rule)] ?? null,
  ORIGIN_REFUSED: () =>
    'このフォームは別のサイトから送信されたため受け付けませんでした。このページを開き直してからもう一度お試しください。',
};

/**
 * A refusal in the page's language, and the server's own English words when they differ (shown in small print,
 * so a user who asks IT for help can quote them).
 */
export function portalErrorText(lang: PortalLang, error: PortalError): { text: string; original: string | null } {
  if (typeof error === 'string') return { text: error, original: null };
  const ja = lang === 'ja' ? (ERRORS_JA[error.code]?.(error.details ?? {}) ?? null) : null;
  return ja ? { text: ja, original: error.message } : { text: error.message, original: null };
}
