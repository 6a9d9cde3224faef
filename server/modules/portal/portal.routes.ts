import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { AppError, isAppError } from '../../core/errors.js';
import { checkOrigin } from '../../http/auth.js';
import { agentQrPayload } from '../agent/agent-qr.js';
import type { CaService } from '../ca/ca.service.js';
import type { DevicesService } from '../devices/devices.service.js';
import type { EnrollmentService } from '../enrollment/enrollment.service.js';
import { PROFILE_TYPE } from '../enrollment/enrollment.routes.js';
import type { InvitationsService } from '../invitations/invitations.service.js';
import type { EnrollmentUrls } from '../invitations/enrollment-url.js';
import {
  enrollPage,
  homePage,
  messagePage,
  passwordPage,
  platformFromUserAgent,
  signInPage,
  type PageContext,
  type PortalPlatform,
} from './portal-pages.js';
import type { PortalPrincipal, PortalService } from './portal.service.js';
import { PORTAL_TEXT, type PortalError, type PortalLang } from './portal-text.js';

/** Name of the portal session cookie. */
export const PORTAL_COOKIE = 'tsunagu_portal';
const LANG_COOKIE = 'tsunagu_lang';

/** What the portal routes call. */
export interface PortalRouteDeps {
  portal: PortalService;
  invitations: InvitationsService;
  urls: EnrollmentUrls;
  enrollment: EnrollmentService;
  devices: DevicesService;
  ca: CaService;
  deviceBaseUrl: () => string;
}

type Form = Record<string, string>;
type KeyParams = { key: string };

declare module 'fastify' {
  interface FastifyRequest {
    portalUser?: PortalPrincipal;
  }
}

function langOf(request: FastifyRequest, reply: FastifyReply): PortalLang {
  const q = (request.query as Record<string, unknown>).lang;
  if (q === 'ja' || q === 'en') {
    void reply.setCookie(LANG_COOKIE, q, {
      path: '/',
      sameSite: 'lax',
      secure: true,
      httpOnly: true,
      maxAge: 365 * 86_400,
    });
    return q;
  }
  const c = request.cookies[LANG_COOKIE];
  if (c === 'ja' || c === 'en') return c;
  const header = request.headers['accept-language'] ?? '';
  const first = header
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('ja') || p.startsWith('en'));
  return first?.startsWith('en') ? 'en' : 'ja';
}

function context(request: FastifyRequest, reply: FastifyReply, key: string): PageContext {
  const lang = langOf(request, reply);
  const url = new URL(request.url, 'https://portal.invalid');
  url.searchParams.set('lang', lang === 'ja' ? 'en' : 'ja');
  return { lang, base: `/e/${key}/go`, langHref: `${url.pathname}${url.search}` };
}

function html(reply: FastifyReply, status: number, page: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Registers the /go portal on the device listener: sign-in, password, self-service home, enrollment with countdown, QR codes. */
export async function portalRoutes(app: FastifyInstance, deps: PortalRouteDeps): Promise<void> {
  const { portal, invitations, urls, enrollment } = deps;
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  const setSession = (reply: FastifyReply, token: string) =>
    void reply.setCookie(PORTAL_COOKIE, token, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });

  /** Resolves the URL key: the current one passes, an old one gets the "out of date" page. */
  const versionGate = async (request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply) => {
    const state = urls.resolve(request.params.key);
    if (state.state === 'current') return;
    const c = context(request, reply, request.params.key);
    const t = PORTAL_TEXT[c.lang];
    const current = `/e/${urls.current().key}/go`;
    return state.state === 'old'
      ? html(reply, 410, messagePage(c, t.outdatedTitle, t.outdated))
      : html(reply, 404, messagePage(c, t.errorTitle, t.unknownLink, { href: current, label: t.signIn }));
  };

  /** A form posted from another site gets a page that says so (not JSON); returns true when the page was sent. */
  const refusedOrigin = (request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply): boolean => {
    try {
      checkOrigin(request);
      return false;
    } catch (err) {
      if (!isAppError(err)) throw err;
      const c = context(request, reply, request.params.key);
      void html(
        reply,
        err.status,
        messagePage(c, PORTAL_TEXT[c.lang].errorTitle, err, { href: c.base, label: PORTAL_TEXT[c.lang].signIn }),
      );
      return true;
    }
  };

  /** Requires a signed-in user; sends others to sign in. State-changing requests also need the form's CSRF token. */
  const signedIn = async (request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply) => {
    const principal = portal.session(request.cookies[PORTAL_COOKIE]);
    const base = `/e/${request.params.key}/go`;
    if (!principal) return reply.redirect(`${base}?ended=1`, 303);
    if (request.method === 'POST') {
      if (refusedOrigin(request, reply)) return reply;
      if (!sameToken((request.body as Form | undefined)?.csrf, principal.csrfToken)) {
        const c = context(request, reply, request.params.key);
        return html(
          reply,
          403,
          messagePage(c, PORTAL_TEXT[c.lang].errorTitle, PORTAL_TEXT[c.lang].sessionEnded, {
            href: `${base}/home`,
            label: PORTAL_TEXT[c.lang].back,
          }),
        );
      }
    }
    request.portalUser = principal;
  };

  const requireReady = async (request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply) => {
    if (request.portalUser?.needsPassword) return reply.redirect(`/e/${request.params.key}/go/password`, 303);
  };

  const renderHome = async (
    request: FastifyRequest<{ Params: KeyParams }>,
    reply: FastifyReply,
    extra: {
      qr?: { kind: 'portal' | 'agent'; dataUrl: string; expiresAt: string };
      error?: PortalError;
      platform?: PortalPlatform;
    } = {},
  ) => {
    const p = request.portalUser as PortalPrincipal;
    const c = context(request, reply, request.params.key);
    const q = (request.query as Record<string, unknown>).platform;
    const platform =
      extra.platform ??
      (q === 'ios' || q === 'macos' || q === 'android' ? q : platformFromUserAgent(request.headers['user-agent']));
    const devices = deps.devices.list({ userId: p.user.id, limit: 100 }).items;
    return html(
      reply,
      extra.error ? 400 : 200,
      homePage(c, {
        csrf: p.csrfToken,
        name: p.user.display_name,
        platform,
        devices,
        qr: extra.qr ?? null,
        ...(extra.error ? { error: extra.error } : {}),
      }),
    );
  };

  app.get('/go', async (_request, reply) => reply.redirect(`/e/${urls.current().key}/go`, 302));

  app.get<{ Params: KeyParams }>('/e/:key/go', { preHandler: versionGate }, async (request, reply) => {
    if (portal.session(request.cookies[PORTAL_COOKIE])) return reply.redirect(`/e/${request.params.key}/go/home`, 303);
    const c = context(request, reply, request.params.key);
    const ended = (request.query as Record<string, unknown>).ended === '1';
    return html(reply, 200, signInPage(c, { ...(ended ? { error: PORTAL_TEXT[c.lang].sessionEnded } : {}) }));
  });

  app.get<{ Params: KeyParams & { invite: string } }>(
    '/e/:key/i/:invite/go',
    { preHandler: versionGate },
    async (request, reply) => {
      const c = context(request, reply, request.params.key);
      try {
        const invitation = invitations.open(request.params.invite, request.ip);
        return html(
          reply,
          200,
          signInPage(c, {
            email: invitation.user_email,
            invite: request.params.invite,
            pinHint: invitation.pin_hash !== null && !invitation.pin_used_at,
          }),
        );
      } catch (err) {
        if (!isAppError(err)) throw err;
        return html(
          reply,
          err.status,
          messagePage(c, PORTAL_TEXT[c.lang].errorTitle, err, { href: `${c.base}`, label: PORTAL_TEXT[c.lang].signIn }),
        );
      }
    },
  );

  app.post<{ Params: KeyParams }>('/e/:key/go/sign-in', { preHandler: versionGate }, async (request, reply) => {
    if (refusedOrigin(request, reply)) return reply;
    const form = (request.body ?? {}) as Form;
    const c = context(request, reply, request.params.key);
    let invitationId: string | null = null;
    if (form.invite) {
      try {
        invitationId = invitations.open(form.invite, request.ip).id;
      } catch {
        invitationId = null;
      }
    }
    try {
      const { token, principal } = await portal.signIn(
        {
          email: String(form.email ?? '').slice(0, 320),
          secret: String(form.secret ?? '').slice(0, 1024),
          invitationId,
        },
        request.ip,
      );
      setSession(reply, token);
      return reply.redirect(`${c.base}/${principal.needsPassword ? 'password' : 'home'}`, 303);
    } catch (err) {
      if (!isAppError(err)) throw err;
      return html(
        reply,
        err.status,
        signInPage(c, {
          email: String(form.email ?? ''),
          invite: form.invite ?? null,
          pinHint: Boolean(form.invite),
          error: err,
        }),
      );
    }
  });

  app.get<{ Params: KeyParams }>(
    '/e/:key/go/password',
    { preHandler: [versionGate, signedIn] },
    async (request, reply) =>
      html(
        reply,
        200,
        passwordPage(context(request, reply, request.params.key), {
          csrf: (request.portalUser as PortalPrincipal).csrfToken,
        }),
      ),
  );

  app.post<{ Params: KeyParams }>(
    '/e/:key/go/password',
    { preHandler: [versionGate, signedIn] },
    async (request, reply) => {
      const form = request.body as Form;
      const c = context(request, reply, request.params.key);
      const p = request.portalUser as PortalPrincipal;
      if (form.password !== form.confirm)
        return html(reply, 400, passwordPage(c, { csrf: p.csrfToken, error: PORTAL_TEXT[c.lang].mismatch }));
      try {
        await portal.setPassword(p, String(form.password ?? ''), request.ip);
        return reply.redirect(`${c.base}/home`, 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return html(reply, err.status, passwordPage(c, { csrf: p.csrfToken, error: err }));
      }
    },
  );

  app.get<{ Params: KeyParams }>(
    '/e/:key/go/home',
    { preHandler: [versionGate, signedIn, requireReady] },
    async (request, reply) => renderHome(request, reply),
  );

  app.post<{ Params: KeyParams }>(
    '/e/:key/go/enroll',
    { preHandler: [versionGate, signedIn, requireReady] },
    async (request, reply) => {
      const p = request.portalUser as PortalPrincipal;
      const form = request.body as Form;
      const platform = form.platform;
      // Re-enrolling one of the user's own devices replaces it, so it does not count against the device limit.
      const replacing =
        form.device && deps.devices.list({ userId: p.user.id, limit: 500 }).items.some((d) => d.id === form.device)
          ? 1
          : 0;
      if (platform !== 'ios' && platform !== 'macos')
        return reply.redirect(
          `/e/${request.params.key}/go/home?platform=${platform === 'android' ? 'android' : 'ios'}`,
          303,
        );
      try {
        const invitationId = p.invitationId ?? invitations.openFor(p.user.id)?.id ?? null;
        const e = enrollment.pendingFor(
          { userId: p.user.id, platform, invitationId },
          { type: 'user', id: p.user.id, label: p.user.email },
          request.ip,
          replacing,
        );
        return reply.redirect(`/e/${request.params.key}/go/enroll/${e.id}`, 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return renderHome(request, reply, { error: err, platform });
      }
    },
  );

  const ownEnrollment = (request: FastifyRequest<{ Params: KeyParams & { id: string } }>) => {
    const p = request.portalUser as PortalPrincipal;
    const e = enrollment.get(request.params.id);
    if (e.userId !== p.user.id) throw new AppError('ENROLLMENT_NOT_FOUND', 'This enrollment does not exist.');
    return e;
  };

  app.get<{ Params: KeyParams & { id: string } }>(
    '/e/:key/go/enroll/:id',
    { preHandler: [versionGate, signedIn, requireReady] },
    async (request, reply) => {
      const c = context(request, reply, request.params.key);
      try {
        const e = ownEnrollment(request);
        if (e.platform === 'android') return reply.redirect(`${c.base}/home?platform=android`, 303);
        const p = request.portalUser as PortalPrincipal;
        return html(
          reply,
          200,
          enrollPage(c, {
            csrf: p.csrfToken,
            name: p.user.display_name,
            platform: e.platform,
            enrollmentId: e.id,
            status: enrollment.profileStatus(e.id),
          }),
        );
      } catch (err) {
        if (!isAppError(err)) throw err;
        return html(
          reply,
          err.status,
          messagePage(c, PORTAL_TEXT[c.lang].errorTitle, err, {
            href: `${c.base}/home`,
            label: PORTAL_TEXT[c.lang].back,
          }),
        );
      }
    },
  );

  app.get<{ Params: KeyParams & { id: string } }>(
    '/e/:key/go/enroll/:id/status',
    { preHandler: [versionGate, signedIn] },
    async (request, reply) => {
      ownEnrollment(request);
      return reply.header('cache-control', 'no-store').send(enrollment.profileStatus(request.params.id));
    },
  );

  app.get<{ Params: KeyParams & { id: string } }>(
    '/e/:key/go/enroll/:id/profile',
    { preHandler: [versionGate, signedIn, requireReady] },
    async (request, reply) => {
      const c = context(request, reply, request.params.key);
      try {
        ownEnrollment(request);
        const profile = await enrollment.downloadProfileFor(
          request.params.id,
          request.headers['user-agent'],
          request.ip,
        );
        return reply
          .type(PROFILE_TYPE)
          .header('content-disposition', 'attachment; filename="tsunagu-enrollment.mobileconfig"')
          .header('cache-control', 'no-store')
          .header('x-profile-expires-at', profile.expiresAt)
          .send(profile.body);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return html(
          reply,
          err.status,
          messagePage(c, PORTAL_TEXT[c.lang].errorTitle, err, {
            href: `${c.base}/home`,
            label: PORTAL_TEXT[c.lang].back,
          }),
        );
      }
    },
  );

  app.post<{ Params: KeyParams }>(
    '/e/:key/go/qr',
    { preHandler: [versionGate, signedIn, requireReady] },
    async (request, reply) => {
      const p = request.portalUser as PortalPrincipal;
      const form = request.body as Form;
      const purpose = form.purpose === 'agent' ? 'agent' : 'portal';
      const { token, expiresAt } = portal.createSignInToken(p, purpose, request.ip);
      const base = deps.deviceBaseUrl();
      // The agent pins the office CA by fingerprint, since it cannot trust it yet.
      const payload =
        purpose === 'portal'
          ? `${base}/e/${request.params.key}/go/t/${token}`
          : agentQrPayload({ server: base, token, caFingerprint256: deps.ca.caCertificate().fingerprint256 });
      // Whole pixels per module and a 4-module quiet zone scan best (ISO/IEC 18004).
      const dataUrl = await QRCode.toDataURL(payload, { margin: 4, scale: 6, errorCorrectionLevel: 'M' });
      const platform =
        form.platform === 'ios' || form.platform === 'macos' || form.platform === 'android' ? form.platform : undefined;
      return renderHome(request, reply, {
        qr: { kind: purpose, dataUrl, expiresAt },
        ...(platform ? { platform } : {}),
      });
    },
  );

  app.get<{ Params: KeyParams & { token: string } }>(
    '/e/:key/go/t/:token',
    { preHandler: versionGate },
    async (request, reply) => {
      const c = context(request, reply, request.params.key);
      try {
        const { token } = portal.redeem(request.params.token, request.ip);
        setSession(reply, token);
        return reply.redirect(`${c.base}/home`, 303);
      } catch (err) {
        if (!isAppError(err)) throw err;
        return html(
          reply,
          err.status,
          messagePage(c, PORTAL_TEXT[c.lang].errorTitle, err, { href: c.base, label: PORTAL_TEXT[c.lang].signIn }),
        );
      }
    },
  );

  app.post<{ Params: KeyParams }>(
    '/e/:key/go/sign-out',
    { preHandler: [versionGate, signedIn] },
    async (request, reply) => {
      portal.signOut(request.portalUser as PortalPrincipal, request.ip);
      void reply.clearCookie(PORTAL_COOKIE, { path: '/' });
      return reply.redirect(`/e/${request.params.key}/go`, 303);
    },
  );
}
