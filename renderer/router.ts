// History-mode routes (the server answers unknown non-API pages with index.html) and the sign-in guard.
import { createRouter, createWebHistory, type RouteLocationRaw, type Router, type RouterHistory } from 'vue-router';
import { useSessionStore } from './stores/session.js';

declare module 'vue-router' {
  interface RouteMeta {
    /** Pages anyone may open (setup and sign-in); the rest need a signed-in administrator. */
    public?: boolean;
    /** The i18n key of the page title. */
    titleKey?: string;
    /** Pages shown alone, outside the console: no shell, no session check, no admin API request (the helper window). */
    bare?: boolean;
  }
}

/** Creates the console router; tests pass a memory history. */
export function createAppRouter(history: RouterHistory = createWebHistory('/')): Router {
  const router = createRouter({
    history,
    routes: [
      {
        path: '/',
        name: 'dashboard',
        component: () => import('./views/DashboardView.vue'),
        meta: { titleKey: 'nav.dashboard' },
      },
      {
        path: '/setup',
        name: 'setup',
        component: () => import('./views/SetupView.vue'),
        meta: { public: true, titleKey: 'setup.title' },
      },
      {
        path: '/login',
        name: 'login',
        component: () => import('./views/LoginView.vue'),
        meta: { public: true, titleKey: 'login.title' },
      },
      {
        path: '/helper',
        name: 'helper',
        component: () => import('./views/HelperView.vue'),
        meta: { public: true, bare: true, titleKey: 'helper.title' },
      },
      {
        path: '/users',
        name: 'users',
        component: () => import('./views/UsersView.vue'),
        meta: { titleKey: 'nav.users' },
      },
      {
        path: '/invitations',
        name: 'invitations',
        component: () => import('./views/InvitationsView.vue'),
        meta: { titleKey: 'nav.invitations' },
      },
      {
        path: '/devices',
        name: 'devices',
        component: () => import('./views/DevicesView.vue'),
        meta: { titleKey: 'nav.devices' },
      },
      {
        path: '/configurations',
        name: 'configurations',
        component: () => import('./views/ConfigurationsView.vue'),
        meta: { titleKey: 'nav.configurations' },
      },
      {
        path: '/wizard',
        name: 'wizard',
        component: () => import('./views/WizardView.vue'),
        meta: { titleKey: 'wizard.title' },
      },
      { path: '/settings', redirect: { name: 'user-settings' } },
      {
        path: '/settings/users',
        name: 'user-settings',
        component: () => import('./views/UserSettingsView.vue'),
        meta: { titleKey: 'nav.userSettings' },
      },
      {
        path: '/settings/mail',
        name: 'mail-settings',
        component: () => import('./views/MailSettingsView.vue'),
        meta: { titleKey: 'nav.mail' },
      },
      {
        path: '/settings/enrollment-url',
        name: 'enrollment-url',
        component: () => import('./views/EnrollmentUrlView.vue'),
        meta: { titleKey: 'nav.enrollmentUrl' },
      },
      {
        path: '/settings/push',
        name: 'push-settings',
        component: () => import('./views/PushSettingsView.vue'),
        meta: { titleKey: 'nav.push' },
      },
      {
        path: '/settings/tls',
        name: 'tls-settings',
        component: () => import('./views/TlsSettingsView.vue'),
        meta: { titleKey: 'nav.tls' },
      },
      {
        path: '/settings/directory',
        name: 'directory',
        component: () => import('./views/DirectoryView.vue'),
        meta: { titleKey: 'nav.directory' },
      },
      {
        path: '/settings/admins',
        name: 'admins',
        component: () => import('./views/AdminsView.vue'),
        meta: { titleKey: 'nav.admins' },
      },
      {
        path: '/password',
        name: 'change-password',
        component: () => import('./views/PasswordChangeView.vue'),
        // Alone on the page like sign-in (the guard below still requires a session).
        meta: { public: true, titleKey: 'password.firstTitle' },
      },
      {
        path: '/audit',
        name: 'audit',
        component: () => import('./views/AuditView.vue'),
        meta: { titleKey: 'nav.audit' },
      },
      { path: '/:rest(.*)*', redirect: { name: 'users' } },
    ],
  });

  router.beforeEach(async (to): Promise<true | RouteLocationRaw> => {
    // The helper window is not the console: it never asks the admin API who is signed in.
    if (to.meta.bare) return true;
    const session = useSessionStore();
    await session.ensureChecked();
    if (to.name === 'setup') {
      if (session.setupRequired) return true;
      return session.signedIn ? { name: 'users' } : { name: 'login' };
    }
    if (session.setupRequired) {
      // Keep a `#token=...` fragment so a link straight to the console still pre-fills the setup token.
      return { name: 'setup', hash: to.hash };
    }
    if (to.name === 'login') return session.signedIn ? { name: 'dashboard' } : true;
    // A temporary password is changed before anything else opens (the server refuses the rest meanwhile).
    if (session.signedIn && session.admin?.mustChangePassword)
      return to.name === 'change-password' ? true : { name: 'change-password' };
    if (to.name === 'change-password') return session.signedIn ? { name: 'dashboard' } : { name: 'login' };
    if (to.meta.public || session.signedIn) return true;
    return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  });

  return router;
}

/** A safe in-app path to return to after sign-in (never another origin); the dashboard when there is none. */
export function redirectTarget(value: unknown): string {
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/login') &&
    !value.startsWith('/setup')
    ? value
    : '/';
}
