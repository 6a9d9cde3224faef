// Japanese texts of the macOS guided-install helper window: the same key tree as helper.en.ts.
// macOS pane and button names arrive in English; `name.withLocal` adds the name Japanese macOS shows.
import type { HelperMessages } from './helper.en.js';

/** The Japanese helper messages. */
const helperJa: HelperMessages = {
  title: 'Tsunagu ヘルパー',
  loading: '読み込み中…',
  quit: '終了',
  close: '閉じる',
  cancel: 'キャンセル',
  retry: 'もう一度試す',
  sendFailed: 'ヘルパーが応答しませんでした。もう一度お試しください。',
  header: {
    server: 'サーバー',
    connectedTo: '接続先: {host}',
  },
  name: {
    quoted: '“{name}”',
    withLocal: '「{local}」（“{name}”）',
  },
  unavailable: {
    title: 'Tsunagu ヘルパーで開いてください',
    body: 'このページは Mac の Tsunagu ヘルパー アプリの中でのみ使えます。Tsunagu ヘルパーを開くか、管理者から届いた登録用リンクを開いてください。',
  },
  failed: {
    title: 'ヘルパーを開始できませんでした',
    body: '表示する内容を読み込めませんでした。もう一度試すか、いったん終了して Tsunagu ヘルパーを開き直してください。',
  },
  address: {
    title: 'この Mac を接続する',
    intro: 'IT 管理者から伝えられたサーバーのアドレスを入力してください。https:// で始まります。',
    label: 'サーバーのアドレス',
    placeholder: 'https://enroll.example.com',
    submit: '続ける',
    required: 'サーバーのアドレスを入力してください。',
    problems: {
      'bad-url': 'Web アドレスの形になっていません。確認して入力し直してください（例: https://enroll.example.com）。',
      'not-https': '通信を暗号化するため、アドレスは https:// で始まる必要があります。',
      'bad-fingerprint':
        'リンクに含まれるセキュリティコードが壊れています。管理者にリンクをもう一度送ってもらってください。',
      'bad-link': 'リンクを読み取れませんでした。リンク全体をコピーし直すか、サーバーのアドレスを入力してください。',
    },
  },
  connecting: {
    title: '接続しています…',
    body: '{host} に接続しています。',
  },
  confirm: {
    title: 'あなたの組織のサーバーですか？',
    intro: 'IT 管理者からこのサーバーを案内された場合にだけ続けてください。',
    organisation: '組織',
    host: 'サーバー',
    fingerprint: 'セキュリティ フィンガープリント（SHA-256）',
    fingerprintHelp: '管理者からフィンガープリントを伝えられている場合は、これと完全に一致する必要があります。',
    accept: '信頼して続ける',
    reject: '自分の組織ではない',
  },
  signIn: {
    title: 'サインイン',
    intro: '管理者が登録したメールアドレスを使ってください。',
    method: 'サインイン方法',
    password: 'パスワード',
    pin: 'ワンタイム PIN',
    email: 'メールアドレス',
    currentPassword: 'パスワード',
    pinLabel: 'ワンタイム PIN',
    pinHelp: '招待メールに記載された 6〜8 桁の PIN です。',
    newPassword: '新しいパスワード',
    newPasswordHelp: '10 文字以上で、メールアドレスとは違うものにしてください。',
    confirmPassword: '新しいパスワード（確認）',
    submit: 'サインイン',
    submitting: 'サインインしています…',
    withLink: '招待リンクでサインインしています…',
    errors: {
      required: 'この項目を入力してください。',
      email: "name{'@'}example.com のようなメールアドレスを入力してください。",
      pin: 'PIN の数字（6〜8 桁）を入力してください。',
      short: '10 文字以上にしてください。',
      mismatch: '2 つのパスワードが一致しません。',
    },
    problems: {
      'bad-credentials': 'メールアドレスまたはパスワード（PIN）が正しくありません。',
      'pin-expired': 'この PIN は有効期限が切れています。管理者に招待を送り直してもらってください。',
      'token-used': 'この招待リンクは使用済みです。パスワードか PIN でサインインしてください。',
      locked: '試行回数が多すぎます。数分待ってからもう一度お試しください。',
      'must-change-password':
        '新しいパスワードの設定が必要です。ワンタイム PIN でサインインして、パスワードを設定してください。',
      'password-rule':
        'この新しいパスワードは使えません。10 文字以上で、メールアドレスとは違うものにしてください。PIN はまだ有効です。',
      'session-expired': 'サインインの有効期限が切れました。もう一度サインインしてください。',
      'directory-unavailable':
        'ディレクトリサーバーに接続できないため、現在ネットワークパスワードを確認できません。パスワードの誤りではありません。数分後にもう一度お試しください。',
      'account-refused':
        'このネットワークアカウントは、ここではサインインできなくなりました（許可されたグループから外れたか、無効化されています）。管理者にお問い合わせください。',
    },
  },
  checkingMac: {
    title: 'この Mac を確認しています…',
    body: 'この Mac がすでに管理されているかどうかを確認しています。',
  },
  elsewhere: {
    title: 'この Mac は別のサーバーで管理されています',
    body: 'この Mac はすでに {host} に登録されています。1 台の Mac を管理できるサーバーは 1 つだけです。',
    next: '管理者にその登録を解除してもらってから、もう一度お試しください。',
  },
  adminNeeded: {
    title: '管理者の協力が必要です',
    body: 'この Mac には一般ユーザーとしてログインしています。最後の手順で、macOS が管理者の名前とパスワードを求めます。',
    next: 'この Mac の管理者に、入力できるよう待機してもらってください。',
    continue: '続ける',
  },
  downloading: {
    title: 'プロファイルを取得しています…',
    refreshing: '新しいプロファイルを取得しています…',
    body: 'この Mac 用の登録プロファイルをダウンロードしています。',
  },
  downloadFailed: {
    title: 'プロファイルをダウンロードできませんでした',
    body: 'ネットワーク接続を確認してから、もう一度お試しください。',
  },
  installing: {
    title: 'システム設定でプロファイルをインストール',
    intro: 'このウインドウの横に「システム設定」が開いています。そちらで次の手順を行ってください。',
    steps: '手順',
    openPane: '「システム設定」で{pane}を開きます。',
    openProfile: '“Downloaded”の欄にある“Tsunagu”プロファイルをダブルクリックします。',
    openProfileNew:
      'サイドバーの“Profile Downloaded”をクリックします（または{pane}にある“Tsunagu”プロファイルをダブルクリックします）。',
    clickContinue: '{button}をクリックします。',
    clickInstall: '{button}をクリックします（macOS のバージョンによっては{other}と表示されます）。',
    password: 'macOS に求められたら、管理者の名前とパスワードを入力します。',
    passwordWarnAdmin:
      '次に macOS が管理者の名前とパスワードを求めます。この Mac へのログインに使う名前とパスワードを入力してください。',
    passwordWarnStandard:
      '次に macOS が管理者の名前とパスワードを求めます。あなたは一般ユーザーなので、管理者に入力してもらう必要があります。',
    done: '登録が完了するとヘルパーが自動で検知します。このウインドウは開いたままにしてください。',
    countdownLabel: 'このプロファイルをインストールできる残り時間',
    minutesLeft: '残り時間がありません | インストールの残り時間は 1 分です | インストールの残り時間は {count} 分です',
    replaced:
      '前のプロファイルの期限が近づいたため、ヘルパーが新しいプロファイルを取得しました。いちばん新しいプロファイルを使ってください。',
    reopen: 'システム設定をもう一度開く',
  },
  waiting: {
    title: 'あと少しです…',
    body: 'プロファイルはインストールされました。サーバーがこの Mac を確認するのを待っています。',
  },
  enrolled: {
    title: 'この Mac は登録されました',
    installed: '完了しました。この Mac は組織の管理下に入りました。このウインドウは閉じてかまいません。',
    alreadyHere: 'この Mac はすでにこのサーバーに登録されています。これ以上の操作は必要ありません。',
  },
  cancelled: {
    title: '登録を中止しました',
    user: '登録をキャンセルしました。この Mac は変更されていません。',
    quit: '登録が終わる前にヘルパーが閉じられました。',
    'server-rejected': '自分の組織のサーバーではないと選ばれたため、このサーバーには接続しませんでした。',
    startAgain: '最初からやり直す',
  },
  expired: {
    title: 'プロファイルの有効期限が切れました',
    body: '時間内にインストールされなかったため、このプロファイルは使えなくなりました。新しいプロファイルを取得してインストールしてください。',
    retry: '新しいプロファイルを取得',
  },
  networkLost: {
    title: '接続が切れました',
    body: 'この Mac がネットワーク（Wi-Fi またはケーブル）につながっているか確認して、もう一度お試しください。',
  },
  mismatch: {
    title: '続けないでください: サーバーの身元が変わりました',
    body: 'サーバーが、ヘルパーの想定と異なるセキュリティ フィンガープリントを提示しました。通信が傍受されているおそれがあります。',
    next: 'ここで中止して、管理者に連絡してください。両方のフィンガープリントを見せてください。',
    expected: '想定していた値',
    presented: 'サーバーが提示した値',
    unknown: '不明',
  },
  unreachable: {
    title: 'サーバーに接続できません',
    body: 'ネットワーク接続とサーバーのアドレスを確認してから、もう一度お試しください。',
    detail: '詳細',
  },
  unreadable: {
    title: 'この Mac の状態を確認できませんでした',
    body: 'この Mac が登録済みかどうかを macOS から読み取れませんでした。もう一度お試しください。',
  },
  unsupported: {
    title: 'この macOS のバージョンには対応していません',
    body: 'この Mac の macOS は {version} です。ヘルパーには macOS 13 以降が必要です。',
    portal: '登録ポータルの手動の手順に従えば、この Mac を登録できます。',
    openPortal: 'ポータルの手動の手順を開く',
    noPortal: 'この Mac の登録方法は管理者にお問い合わせください。',
  },
};

export default helperJa;
