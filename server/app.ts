import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { Logger } from 'pino';
import type { Services } from './compose.js';
import { bearerToken, requireAdmin } from './http/auth.js';
import type { IdentifyDevice, RateLimiter, RouteGroup } from './http/rate-limit.js';
import { DEFAULT_TIMEOUTS, timeoutOptions, type ServerTimeouts } from './http/timeouts.js';
import { installErrorHandler, jsonNotFound } from './http/error-handler.js';
import { genReqId, installRequestId } from './http/request-id.js';
import { OneLinePerRequest } from './http/access-log.js';
import { registerPageAssets } from './http/pages.js';
import type { SelectedTlsOptions } from './http/tls-selector.js';
import { validatorCompiler } from './http/validation.js';
import { adminsRoutes } from './modules/admins/admins.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { backupRoutes } from './modules/backup/backup.routes.js';
import { settingsRoutes } from './modules/settings/settings.routes.js';
import { trustRoutes, redirectToHttps } from './modules/ca/ca.routes.js';
import { firstVisitRoutes, tlsProbeRoutes } from './modules/ca/first-visit.routes.js';
import { tlsRoutes } from './modules/ca/tls.routes.js';
import { usersRoutes } from './modules/users/users.routes.js';
import { invitationsRoutes } from './modules/invitations/invitations.routes.js';
import { mailRoutes } from './modules/mail/mail.routes.js';
import { deviceHomeRoutes } from './modules/enrollment/home.routes.js';
import { devicesRoutes } from './modules/devices/devices.routes.js';
import { deliveryRoutes } from './modules/configurations/delivery.routes.js';
import { enrollmentAdminRoutes, profileRoutes } from './modules/enrollment/enrollment.routes.js';
import { mdmRoutes } from './modules/mdm/mdm.routes.js';
import { pushRoutes } from './modules/push/push.routes.js';
import { SCEP_PATH, scepRoutes } from './modules/scep/scep.routes.js';
import { helperBuildRoutes, helperDownloadRoutes } from './modules/helper-builds/helper-build.routes.js';
import { portalRoutes } from './modules/portal/portal.routes.js';
import { agentRoutes } from './modules/agent/agent.routes.js';
import { helperRoutes } from './modules/helper/helper.routes.js';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.js';
import { directoryRoutes } from './modules/directory/directory.routes.js';
import { configurationsRoutes } from './modules/configurations/configurations.routes.js';
import { onboardingRoutes } from './modules/onboarding/onboarding.routes.js';
import { liveRoutes } from './modules/live/live.routes.js';
import { guardHost } from './http/host-guard.js';
import { installSecurityHeaders } from './http/security-headers.js';

/** Largest JSON body the admin API accepts (CSV import has its own, larger limit). */
export const ADMIN_BODY_LIMIT = 1024 * 1024;
/** Largest body a device may send. */
export const DEVICE_BODY_LIMIT = 256 * 1024;

/**
 * What the TLS listeners that share their host with the plain-HTTP bootstrap listener send (the device listener, and
 * the admin listener when LAN admin is on): `Strict-Transport-Security: max-age=0`, never a positive max-age. A
 * browser keeps HSTS per host, not per port (RFC 6797 §8.3), so after one such answer it would rewrite every later
 * http://<host>:8080 link (the first-visit page, /trust, SCEP) to https://<host>:8080, where nothing speaks TLS;
 * max-age=0 keeps none, and clears what an older version may have left in a browser.
 */
const CLEAR_HSTS = { maxAge: 0, includeSubDomains: false, preload: false } as const;

/** A TLS listener's certificate, and optionally its choice of another one by SNI (public mode, see http/tls-selector.ts). */
export type ListenerTls = { key: string; cert: string; SNICallback?: SelectedTlsOptions['SNICallback'] };

/** The Content-Security-Policy directives every listener's pages share: only their own files, never framed. */
const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
};

/** What the three listeners are built from. */
export interface ServerDeps {
  services: Services;
  logger: Logger;
  /** Built admin console (index.html and assets), or null when it has not been built. */
  consoleDir: string | null;
  /** Whether the admin listener is HTTPS (then cookies are Secure), and its certificates (chosen as the device listener's). */
  adminTls: ListenerTls | null;
  deviceTls: ListenerTls;
  /** Base URL of the device listener links use, e.g. https://mdm.office.lan:8443 (known once it listens; the public name in public mode). */
  deviceBaseUrl: () => string;
  /** Base URL of the plain-HTTP bootstrap listener, e.g. http://mdm.office.lan:8080 (known once it listens). */
  bootstrapBaseUrl: () => string;
  version: string;
  /** The request budgets the device and bootstrap listeners share; none (no limits) when absent. */
  rateLimiter?: RateLimiter | null;
  /** Reverse proxies whose X-Forwarded-For names the client on the device and bootstrap listeners; none by default. */
  trustedProxies?: readonly string[];
  /** Timeouts of every listener; DEFAULT_TIMEOUTS when absent. */
  timeouts?: Readonly<ServerTimeouts>;
}

/**
 * How the device listener's route groups identify a device whose address is over its budget: MDM by the verified
 * Mdm-Signature (a check-in that completes a profile install is exempt), the agent by its Bearer token.
 */
function deviceIdentities(services: Services): Partial<Record<RouteGroup, IdentifyDevice>> {
  return {
    mdm: (request) => {
      const signature = request.headers['mdm-signature'];
      if (!Buffer.isBuffer(request.body) || typeof signature !== 'string') return null;
      const device = services.mdm.identifyForLimits(request.body, signature);
      return device ? { key: `mdm:${device.certificate}`, exempt: device.completingEnrollment } : null;
    },
    agent: (request) => {
      const deviceId = services.agent.deviceOfToken(bearerToken(request));
      return deviceId ? { key: `agent:${deviceId}`, exempt: false } : null;
    },
  };
}

/** The three Fastify apps: admin API + console, HTTPS device listener, plain-HTTP bootstrap. */
export interface Apps {
  admin: FastifyInstance;
  device: FastifyInstance;
  bootstrap: FastifyInstance;
}

/**
 * The admin listener takes whole requests for up to ADMIN_REQUEST_SECONDS: an admin uploads helper builds and
 * restores backups through it, and it is on loopback unless LAN admin is on. Heads are timed as everywhere.
 */
export const ADMIN_REQUEST_SECONDS = 600;

function listenerTimeouts(t: Readonly<ServerTimeouts>, publicListener: boolean): Readonly<ServerTimeouts> {
  return publicListener ? t : { ...t, requestSeconds: Math.max(t.requestSeconds, ADMIN_REQUEST_SECONDS) };
}

function base(
  deps: ServerDeps,
  listener: { bodyLimit: number; tls: ListenerTls | null; publicListener: boolean },
): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId,
    logController: new OneLinePerRequest(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    bodyLimit: listener.bodyLimit,
    // Headers, bodies, idle keep-alive and whole requests are timed on every listener (slowloris).
    ...timeoutOptions(listenerTimeouts(deps.timeouts ?? DEFAULT_TIMEOUTS, listener.publicListener), listener.tls),
    // X-Forwarded-For counts only from the configured reverse proxies, and only on the listeners devices reach.
    ...(listener.publicListener && deps.trustedProxies?.length ? { trustProxy: [...deps.trustedProxies] } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler());
  // During shutdown, answers to requests still in flight close their connection, so keep-alive
  // sockets do not hold the server open until their idle timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  installRequestId(app);
  installErrorHandler(app);
  return app;
}

/** Builds the admin listener's app: the JSON admin API under /api and the console's static files. */
export async function buildAdminApp(deps: ServerDeps): Promise<FastifyInstance> {
  const { services } = deps;
  const app = base(deps, { bodyLimit: ADMIN_BODY_LIMIT, tls: deps.adminTls, publicListener: false });
  // First of all: a request under a foreign name (DNS rebinding) reaches no route and no file.
  guardHost(app, () => {
    const names = services.tlsNames();
    return [...names.dnsNames, ...names.ipAddresses, new URL(services.deviceBaseUrl()).hostname];
  });
  await app.register(cookie);
  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        ...PAGE_CSP,
        // The console (a Vue single-page app built by Vite, element-plus for its controls) needs no more than this:
        // - script: its own modules only; the built index.html has no inline script (tests/security/csp.test.ts).
        // - style-src-elem 'self': its own stylesheets (the app's CSS and element-plus's, both files under /assets).
        // - style-src-attr 'none': no style="" attribute in markup. Vue's :style bindings and element-plus's
        //   positioning (dialogs, drawers, popovers, the virtualized device table) set styles through the CSSOM
        //   (element.style), which a policy does not govern, so neither needs 'unsafe-inline'. Nothing in the console
        //   sets a style attribute or adds a <style> element: the browser specs record every violation and fail on one.
        styleSrcElem: ["'self'"],
        styleSrcAttr: ["'none'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // With LAN admin on, this listener serves TLS on the bootstrap listener's host; on 127.0.0.1 it is plain HTTP,
    // where browsers ignore the header, so it sends none.
    hsts: deps.adminTls !== null ? CLEAR_HSTS : false,
    crossOriginEmbedderPolicy: false,
  });
  app.addContentTypeParser(
    ['text/csv', 'text/plain', 'application/vnd.ms-excel'],
    { parseAs: 'buffer' },
    (_req, body, done) => done(null, body),
  );

  app.get('/api/health', async () => ({ ok: true, version: deps.version }));
  await app.register(adminsRoutes, { admins: services.admins, secureCookies: deps.adminTls !== null });
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireAdmin(services.admins));
    await scope.register(usersRoutes, {
      users: services.users,
      invite: (userIds, ctx, opts) => services.invitations.invite(userIds, ctx, opts),
      newPin: (userId, ctx) => services.invitations.newPinFor(userId, ctx),
    });
    await scope.register(invitationsRoutes, { invitations: services.invitations });
    await scope.register(mailRoutes, { mail: services.mail });
    await scope.register(settingsRoutes, { settings: services.settings });
    await scope.register(helperBuildRoutes, { helper: services.helperBuilds });
    await scope.register(auditRoutes, { audit: services.audit });
    await scope.register(backupRoutes, { backup: services.backup, restore: services.restore });
    await scope.register(devicesRoutes, {
      devices: services.devices,
      mdm: services.mdm,
      pushNow: (deviceId) => services.push.pushDevice(deviceId),
      actions: services.deviceActions,
      agent: services.agent,
    });
    await scope.register(deliveryRoutes, { delivery: services.delivery });
    await scope.register(pushRoutes, { push: services.push });
    await scope.register(enrollmentAdminRoutes, { enrollment: services.enrollment });
    await scope.register(tlsRoutes, { ca: services.ca, tlsNames: services.tlsNames });
    await scope.register(dashboardRoutes, { dashboard: services.dashboard });
    await scope.register(directoryRoutes, { directory: services.directory });
    await scope.register(configurationsRoutes, { configurations: services.configurations });
    await scope.register(onboardingRoutes, { onboarding: services.onboarding });
    await scope.register(liveRoutes, {
      live: services.live,
      sessionLive: (tokenHash) => services.admins.sessionLive(tokenHash),
    });
  });

  const indexFile = deps.consoleDir ? join(deps.consoleDir, 'index.html') : null;
  if (deps.consoleDir && indexFile && existsSync(indexFile)) {
    const indexHtml = readFileSync(indexFile);
    const shell = (_request: FastifyRequest, reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(indexHtml);
    await app.register(fastifyStatic, {
      root: deps.consoleDir,
      prefix: '/',
      index: false,
      wildcard: false,
      cacheControl: false,
    });
    // The shell itself: `/` is what `serve` prints, so it must not fall into the static plugin's directory refusal.
    app.get('/', shell);
    // The console uses history-mode routes (/users, /audit ...): unknown non-API pages get the app shell.
    app.setNotFoundHandler((request, reply) => {
      const wantsPage =
        (request.method === 'GET' || request.method === 'HEAD') &&
        !request.url.startsWith('/api/') &&
        !/\.[a-z0-9]+(\?|$)/i.test(request.url);
      if (wantsPage) return shell(request, reply);
      return jsonNotFound(request, reply);
    });
  } else {
    app.get('/', async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send(
          'The admin console has not been built. Run `npm run build`, then restart Tsunagu.\nThe admin API is available under /api.\n',
        ),
    );
    app.setNotFoundHandler(jsonNotFound);
  }
  return app;
}

/** Builds the HTTPS device listener's app (enrollment pages, and later SCEP, MDM and the agent API). */
export async function buildDeviceApp(deps: ServerDeps): Promise<FastifyInstance> {
  const app = base(deps, { bodyLimit: DEVICE_BODY_LIMIT, tls: deps.deviceTls, publicListener: true });
  deps.rateLimiter?.install(app, { identify: deviceIdentities(deps.services) });
  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        ...PAGE_CSP,
      },
    },
    // Same-origin, so the portal's own form posts carry their Origin (the CSRF check reads it) and tokens in URLs never leave.
    referrerPolicy: { policy: 'same-origin' },
    hsts: CLEAR_HSTS,
  });
  app.setNotFoundHandler(jsonNotFound);
  await app.register(cookie);
  registerPageAssets(app);
  app.get('/health', async () => ({ ok: true }));
  await app.register(tlsProbeRoutes);
  await app.register(deviceHomeRoutes, {
    ca: deps.services.ca,
    trustUrl: () => `${deps.bootstrapBaseUrl()}/trust`,
  });
  await app.register(profileRoutes, { enrollment: deps.services.enrollment });
  await app.register(mdmRoutes, { mdm: deps.services.mdm });
  await app.register(scepRoutes, { scep: deps.services.scep });
  const s = deps.services;
  await app.register(agentRoutes, { agent: s.agent, ca: s.ca });
  await app.register(helperDownloadRoutes, { helper: s.helperBuilds });
  await app.register(portalRoutes, { portal: s.portal, urls: s.urls, helperOffer: () => s.helperBuilds.offer() });
  await app.register(helperRoutes, { helper: s.helper });
  return app;
}

/**
 * Builds the plain-HTTP bootstrap app: the first-visit page (`/go`, `/e/<key>/go`), /trust (the CA and how to trust
 * it), /scep (the same routes as on the device listener, for devices that do not trust the office CA yet) and a
 * redirect to HTTPS for the rest.
 */
export async function buildBootstrapApp(deps: ServerDeps): Promise<FastifyInstance> {
  const app = base(deps, { bodyLimit: 16 * 1024, tls: null, publicListener: true });
  deps.rateLimiter?.install(app);
  installSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        ...PAGE_CSP,
        // The first-visit page's script asks the HTTPS device listener whether this browser trusts it.
        connectSrc: ["'self'", () => new URL(deps.deviceBaseUrl()).origin],
        baseUri: ["'none'"],
        // Nothing is ever posted over plain HTTP: credentials go only to the HTTPS portal.
        formAction: ["'none'"],
        // The page's own assets are on this plain-HTTP port: upgrading them would break the page.
        upgradeInsecureRequests: null,
      },
    },
    hsts: false,
    // Browsers ignore an opener policy from a plain-HTTP origin, and say so in the console at every page.
    crossOriginOpenerPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
  // Pages read and set the language cookie (not Secure here: this listener is plain HTTP).
  await app.register(cookie);
  registerPageAssets(app);
  const { ca, enrollment, urls } = deps.services;
  await app.register(trustRoutes, { ca, caProfile: (lang) => enrollment.caProfile(lang) });
  await app.register(firstVisitRoutes, { ca, urls, deviceBaseUrl: deps.deviceBaseUrl });
  // The routes carry their own body limit and content types, so SCEP answers here exactly as over HTTPS.
  await app.register(scepRoutes, { scep: deps.services.scep });
  const redirect = redirectToHttps(deps.deviceBaseUrl);
  // A method /scep does not serve gets the device listener's JSON 404, not a redirect a SCEP client could follow.
  app.setNotFoundHandler((request, reply) =>
    request.url.split('?')[0] === SCEP_PATH ? jsonNotFound(request, reply) : redirect(request, reply),
  );
  return app;
}

/** Builds all three apps without listening; `start.ts` owns the sockets. */
export async function buildServer(deps: ServerDeps): Promise<Apps> {
  return {
    admin: await buildAdminApp(deps),
    device: await buildDeviceApp(deps),
    bootstrap: await buildBootstrapApp(deps),
  };
}
