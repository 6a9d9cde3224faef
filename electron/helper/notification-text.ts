// The helper's system notifications, in the user's language.
import type { PlatformNotification } from './platform-port.js';
import type { NotifyMessage } from './step-types.js';

const TEXT: Record<'ja' | 'en', Record<NotifyMessage | 'reminder', PlatformNotification>> = {
  en: {
    'profile-replaced': {
      title: 'A fresh profile is ready',
      body: 'The previous profile was about to expire. Install the newest one in System Settings.',
    },
    enrolled: {
      title: 'Your Mac is enrolled',
      body: 'Your organisation now manages this Mac. You can close Tsunagu Helper.',
    },
    'profile-expired': {
      title: 'The profile expired',
      body: 'Open Tsunagu Helper and choose "Get a fresh profile" to continue.',
    },
    reminder: {
      title: 'Finish enrolling your Mac',
      body: 'Your Mac is not enrolled yet. Open Tsunagu Helper to continue where you stopped.',
    },
  },
  ja: {
    'profile-replaced': {
      title: '新しいプロファイルを用意しました',
      body: '前のプロファイルの有効期限が近づいたため、新しいものに替えました。システム設定で最新のものをインストールしてください。',
    },
    enrolled: {
      title: 'Mac の登録が完了しました',
      body: 'この Mac は組織の管理下に入りました。Tsunagu Helper を閉じてかまいません。',
    },
    'profile-expired': {
      title: 'プロファイルの有効期限が切れました',
      body: 'Tsunagu Helper を開き、「新しいプロファイルを取得」を選んでください。',
    },
    reminder: {
      title: 'Mac の登録を完了してください',
      body: 'この Mac はまだ登録されていません。Tsunagu Helper を開くと、中断したところから続けられます。',
    },
  },
};

/** The notification for a message (or the login-item reminder) in `locale`. */
export function notificationText(message: NotifyMessage | 'reminder', locale: 'ja' | 'en'): PlatformNotification {
  return TEXT[locale][message];
}
