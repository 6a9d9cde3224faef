// Composition root of the admin console: i18n, Pinia, the router and the API client, wired once.
import 'element-plus/dist/index.css';
import './styles/theme.css';
import { ElMessage } from 'element-plus';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { API_KEY, createApi, createApiClient } from './api/index.js';
import { applyDocumentLocale } from './composables/use-locale.js';
import { createAppI18n, detectLocale, storedLocale } from './i18n/index.js';
import { createAppRouter } from './router.js';
import { useSessionStore } from './stores/session.js';

const locale = detectLocale(storedLocale(window.localStorage), navigator.language);
applyDocumentLocale(locale);

const i18n = createAppI18n(locale);
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
