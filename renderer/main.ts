// Composition root of the admin console: i18n, Pinia, the router and the API client, wired once.
import 'element-plus/dist/index.css';
import './styles/theme.css';
import { ElMessage } from 'element-plus';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { API_KEY, createApi, createApiClient } from './api/index.js';
import { applyDocumentLocale } from './composables/use-locale.js';
import type { Locale } from '../server/contract/index.js';
import { createAppI18n, detectLocale, loadMessages, storedLocale, type AppMessages } from './i18n/index.js';
import { createAppRouter } from './router.js';
import { useSessionStore } from './stores/session.js';

/** Shown in both languages when no catalogue could be loaded (there are no translations to choose from then). */
const FAILED_TO_LOAD =
  'Tsunagu could not be loaded. Check that the server is running, then reload. / ' +
  'Tsunagu を読み込めませんでした。サーバーが動作しているか確認して、再読み込みしてください。';

/** Wires the console in `locale`, whose catalogue has loaded, and mounts it. */
function start(locale: Locale, messages: AppMessages): void {
  const i18n = createAppI18n(locale, { [locale]: messages });
  const pinia = createPinia();
  const router = createAppRouter();

  const client = createApiClient({
    csrfToken: () => useSessionStore(pinia).csrfToken,
    // The session ended on the server (idle timeout, sign-out elsewhere): say so and go to sign-in.
    onAuthRequired: () => {
      const session = useSessionStore(pinia);
      const wasSignedIn = session.signedIn;
      session.clear();
      const current = router.currentRoute.value;
      if (!session.checked || current.meta.public) return;
      if (wasSignedIn) ElMessage({ type: 'warning', message: i18n.global.t('shell.sessionEnded'), showClose: true });
      void router.push({ name: 'login', query: { redirect: current.fullPath } });
    },
  });

  const app = createApp(App);
  app.provide(API_KEY, createApi(client));
  app.use(pinia);
  app.use(i18n);
  app.use(router);

  router.onError((err: unknown) => {
    ElMessage({ type: 'error', message: i18n.global.t('errors.codes.NETWORK'), showClose: true, duration: 0 });
    console.warn('Navigation failed:', err);
  });

  app.mount('#app');
}

const locale = detectLocale(storedLocale(window.localStorage), navigator.language);
applyDocumentLocale(locale);
// Only this language's catalogue is fetched (its own chunk), and the console mounts once it is there; the other
// language is loaded when the admin switches to it. (A promise, not a top-level await: with one, the bundler moves
// the code the entry shares with the pages out of the entry chunk, into a dozen more requests.)
loadMessages(locale).then(
  (messages) => start(locale, messages),
  (err: unknown) => {
    console.error('Loading the console messages failed:', err);
    const app = document.getElementById('app');
    if (app) app.textContent = FAILED_TO_LOAD;
  },
);
