import { timingSafeEqual } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '../../contract/errors.js';
import { AppError, isAppError } from '../../core/errors.js';
import { portalPaths } from '../../core/portal-paths.js';
import { checkOrigin } from '../../http/auth.js';
import { setRetryAfter } from '../../http/error-handler.js';
import { otherLangHref, pageLang, sendPage } from '../../http/pages.js';
import { TEXT } from '../../i18n/index.js';
import type { HelperOffer } from '../helper-builds/helper-build.service.js';
import type { EnrollmentUrls } from '../invitations/enrollment-url.js';
import { sendProfile } from '../profiles/profile-reply.js';
import {
  enrollPage,
  homePage,
  messagePage,
  passwordPage,
  platformFromUserAgent,
  signInPage,
  type PageContext,
  type PortalError,
  type PortalPlatform,
  type PortalQr,
} from './portal-pages.js';
import { EnrollForm, PasswordForm, PortalKeyParams, QrForm, SignInForm, SignOutForm } from './portal.schemas.js';
import { passwordChange, type PortalPrincipal, type PortalService } from './portal.service.js';

/** Name of the portal session cookie. */
export const PORTAL_COOKIE = 'tsunagu_portal';

/** What the portal routes call. */
export interface PortalRouteDeps {
  portal: PortalService;
  urls: Pick<EnrollmentUrls, 'current' | 'resolve'>;
  /** The helper download the Mac section offers, or null when the server has no build of the helper. */
  helperOffer: () => HelperOffer | null;
}

/** The page a route answers a refusal with (an AppError, or a form that does not validate), and its status. */
type RefusalPage = (request: FastifyRequest, c: PageContext, error: PortalError) => { status?: number; page: string };

declare module 'fastify' {
  interface FastifyRequest {
    portalUser?: PortalPrincipal;
  }
  interface FastifyContextConfig {
    /** How a portal route shows refusals; `json` leaves them to the app's error handler. */
    portalRefusal?: RefusalPage | 'json';
  }
}

type KeyParams = { key: string };

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isPlatform(value: unknown): value is Exclude<PortalPlatform, 'other'> {
  return value === 'ios' || value === 'macos' || value === 'android';
}

/** The string fields of a posted form, whether or not it validated. */
function formFields(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function isFormInvalid(err: unknown): err is FastifyError {
  return typeof err === 'object' && err !== null && Boolean((err as FastifyError).validation);
}

/** The signed-in user of a request that passed the `signedIn` gate. */
function principalOf(request: FastifyRequest): PortalPrincipal {
  const p = request.portalUser;
  if (!p) throw new AppError('AUTH_REQUIRED', 'Sign in first.');
  return p;
}

/** A refusal shown as a message page with one link: back to the home page, or to sign-in. */
function backTo(to: 'home' | 'signIn'): RefusalPage {
  return (_request, c, error) => {
    const t = TEXT[c.lang].portal;
    const link = to === 'home' ? { href: c.paths.home, label: t.back } : { href: c.paths.base, label: t.signIn };
    return { page: messagePage(c, t.errorTitle, error, link) };
  };
}

/** Registers the /go portal on the device listener: sign-in, password, self-service home, enrollment with countdown, QR codes. */
export async function portalRoutes(app: FastifyInstance, deps: PortalRouteDeps): Promise<void> {
  const { portal, urls } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  const context = (request: FastifyRequest, reply: FastifyReply): PageContext => {
    const lang = pageLang(request, reply);
    const key = (request.params as Partial<KeyParams> | undefined)?.key ?? urls.current().key;
    return { lang, paths: portalPaths(key), langHref: otherLangHref(request, lang) };
  };

  const setSession = (reply: FastifyReply, token: string) =>
    void reply.setCookie(PORTAL_COOKIE, token, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });

  const homeView = (
    request: FastifyRequest,
    c: PageContext,
    extra: { qr?: PortalQr; error?: PortalError; platform?: PortalPlatform | undefined } = {},
  ): string => {
    const p = principalOf(request);
    const q = (request.query as Record<string, unknown>).platform;
    const chosen = extra.platform ?? (isPlatform(q) ? q : undefined);
    const platform = chosen ?? platformFromUserAgent(request.headers['user-agent']);
    // The helper link's token is minted (and audited) each time the Mac steps are shown: single use, 10 minutes.
    const helper = platform === 'macos' ? { ...portal.helperLink(p, request.ip), download: deps.helperOffer() } : null;
    return homePage(c, {
      csrf: p.csrfToken,
      name: p.user.display_name,
      platform,
      guessed: chosen === undefined,
      devices: portal.devices(p),
      claimsWaiting: portal.claimsWaiting(p),
      qr: extra.qr ?? null,
      helper,
      ...(extra.error ? { error: extra.error } : {}),
    });
  };

  // The refusals of the gates come before any route's own page: a form from another site, a stale form.
  const gateRefusals: Partial<Record<ErrorCode, RefusalPage>> = {
    ORIGIN_REFUSED: backTo('signIn'),
    CSRF_INVALID: (request, c) => backTo('home')(request, c, TEXT[c.lang].portal.sessionEnded),
  };

  // One place where the portal's refusals become pages: AppErrors and unreadable forms, in the page's language.
  // Everything else (and the JSON status route) goes on to the app's error handler, which never leaks a 5xx message.
  app.setErrorHandler(async (err: unknown, request, reply) => {
    const invalid = isFormInvalid(err) && err.validationContext === 'body';
    if (!isAppError(err) && !invalid) throw err;
    const routeView = request.routeOptions.config.portalRefusal;
    if (routeView === 'json') throw err;
    const c = context(request, reply);
    const error: PortalError = isAppError(err) ? err : TEXT[c.lang].portal.formInvalid;
    const code: ErrorCode = isAppError(err) ? err.code : 'VALIDATION_FAILED';
    const view = gateRefusals[code] ?? routeView ?? backTo(request.portalUser ? 'home' : 'signIn');
    const { status, page } = view(request, c, error);
    const sent = status ?? (isAppError(err) ? err.status : 400);
    request.log.info({ code, status: sent }, 'request refused');
    setRetryAfter(reply, err);
    return sendPage(reply, sent, page);
  });

  /** Resolves the URL key: the current one passes, an old one gets the "out of date" page. */
  const versionGate = async (request: FastifyRequest, reply: FastifyReply) => {
    const state = urls.resolve((request.params as KeyParams).key);
    if (state.state === 'current') return;
    const c = context(request, reply);
    const t = TEXT[c.lang].portal;
    return state.state === 'old'
      ? sendPage(reply, 410, messagePage(c, t.outdatedTitle, t.outdated))
      : sendPage(
          reply,
          404,
          messagePage(c, t.errorTitle, t.unknownLink, { href: portalPaths(urls.current().key).base, label: t.signIn }),
        );
  };

  /** A form posted from another site is refused (before the form is read). */
  const sameOrigin = async (request: FastifyRequest) => checkOrigin(request);

  /** Requires a signed-in user; sends others to sign in. State-changing requests also need the form's CSRF token. */
  const signedIn = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = portal.session(request.cookies[PORTAL_COOKIE]);
    if (!principal) return reply.redirect(context(request, reply).paths.ended, 303);
    if (request.method === 'POST') {
      checkOrigin(request);
      const sent = formFields(request.body).csrf;
      if (!sent || !sameToken(sent, principal.csrfToken))
        throw new AppError('CSRF_INVALID', 'The form is missing its security token; reload the page and try again.');
    }
    request.portalUser = principal;
  };

  /** A user who must set a password first is sent to do so. */
  const passwordSet = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.portalUser?.needsPassword)
      return reply.redirect(portalPaths((request.params as KeyParams).key).password, 303);
  };

  // The gates run before the form is read and validated: an old link, no session, another site's or a stale form.
  const anyone = { onRequest: versionGate };
  const signedInUser = { onRequest: versionGate, preValidation: [signedIn] };
  const readyUser = { onRequest: versionGate, preValidation: [signedIn, passwordSet] };

  // The form again with the refusal; a form from an invitation link keeps that invitation's wording (a directory user's
  // network password), which only the link's holder sees.
  const signInRefusal: RefusalPage = (request, c, error) => {
    const form = formFields(request.body);
    let hints = { pinHint: Boolean(form.invite), directory: false };
    if (form.invite) {
      try {
        hints = portal.openInvitation(form.invite, request.ip);
      } catch {
        // A link that no longer opens: the plain form.
      }
    }
    return {
      page: signInPage(c, {
        email: form.email ?? '',
        invite: form.invite ?? null,
        pinHint: hints.pinHint,
        directory: hints.directory,
        logins: portal.directoryLogins(),
        error,
      }),
    };
  };
  const passwordRefusal: RefusalPage = (request, c, error) => ({
    page: passwordPage(c, { csrf: principalOf(request).csrfToken, mode: passwordChange(principalOf(request)), error }),
  });
  // The home page answers a refused enrollment with 400, whatever the reason.
  const enrollRefusal: RefusalPage = (request, c, error) => {
    const platform = formFields(request.body).platform;
    return {
      status: 400,
      page: homeView(request, c, { error, platform: isPlatform(platform) ? platform : undefined }),
    };
  };

  app.get('/go', async (_request, reply) => reply.redirect(portalPaths(urls.current().key).base, 302));

  r.get<{ Params: KeyParams; Querystring: { ended?: string } }>('/e/:key/go', anyone, async (request, reply) => {
    const c = context(request, reply);
    if (portal.session(request.cookies[PORTAL_COOKIE])) return reply.redirect(c.paths.home, 303);
    const ended = request.query.ended === '1';
    return sendPage(
      reply,
      200,
      signInPage(c, {
        logins: portal.directoryLogins(),
        ...(ended ? { error: TEXT[c.lang].portal.sessionEnded } : {}),
      }),
    );
  });

  r.get<{ Params: KeyParams & { invite: string } }>(
    '/e/:key/i/:invite/go',
    { ...anyone, config: { portalRefusal: backTo('signIn') } },
    async (request, reply) => {
      const { email, pinHint, directory } = portal.openInvitation(request.params.invite, request.ip);
      const c = context(request, reply);
      return sendPage(
        reply,
        200,
        signInPage(c, { email, invite: request.params.invite, pinHint, directory, logins: portal.directoryLogins() }),
      );
    },
  );

  r.post(
    '/e/:key/go/sign-in',
    {
      onRequest: versionGate,
      preValidation: sameOrigin,
      schema: { params: PortalKeyParams, body: SignInForm },
      config: { portalRefusal: signInRefusal },
    },
    async (request, reply) => {
      const { email, secret, invite } = request.body;
      const { token, principal } = await portal.signIn({ email, secret, invite: invite ?? null }, request.ip);
      setSession(reply, token);
      const paths = portalPaths(request.params.key);
      return reply.redirect(principal.needsPassword ? paths.password : paths.home, 303);
    },
  );

  r.get<{ Params: KeyParams }>('/e/:key/go/password', signedInUser, async (request, reply) => {
    const p = principalOf(request);
    return sendPage(reply, 200, passwordPage(context(request, reply), { csrf: p.csrfToken, mode: passwordChange(p) }));
  });

  r.post(
    '/e/:key/go/password',
    {
      ...signedInUser,
      schema: { params: PortalKeyParams, body: PasswordForm },
      config: { portalRefusal: passwordRefusal },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const { password, confirm, current } = request.body;
      if (password !== confirm && passwordChange(p) !== 'refused') {
        const c = context(request, reply);
        const error = TEXT[c.lang].portal.mismatch;
        return sendPage(reply, 400, passwordPage(c, { csrf: p.csrfToken, mode: passwordChange(p), error }));
      }
      await portal.setPassword(p, { password, current }, request.ip);
      return reply.redirect(portalPaths(request.params.key).home, 303);
    },
  );

  r.get<{ Params: KeyParams }>('/e/:key/go/home', readyUser, async (request, reply) =>
    sendPage(reply, 200, homeView(request, context(request, reply))),
  );

  r.post(
    '/e/:key/go/enroll',
    { ...readyUser, schema: { params: PortalKeyParams, body: EnrollForm }, config: { portalRefusal: enrollRefusal } },
    async (request, reply) => {
      const { platform, device } = request.body;
      const paths = portalPaths(request.params.key);
      // Android enrolls through the agent app, whose instructions are on the home page.
      if (platform === 'android') return reply.redirect(paths.homeFor('android'), 303);
      const e = portal.startEnrollment(principalOf(request), { platform, deviceId: device ?? null }, request.ip);
      return reply.redirect(paths.enrollment(e.id), 303);
    },
  );

  r.get<{ Params: KeyParams & { id: string } }>(
    '/e/:key/go/enroll/:id',
    { ...readyUser, config: { portalRefusal: backTo('home') } },
    async (request, reply) => {
      const p = principalOf(request);
      const { enrollment, status } = portal.enrollment(p, request.params.id);
      const c = context(request, reply);
      if (enrollment.platform === 'android') return reply.redirect(c.paths.homeFor('android'), 303);
      return sendPage(
        reply,
        200,
        enrollPage(c, {
          csrf: p.csrfToken,
          name: p.user.display_name,
          platform: enrollment.platform,
          enrollmentId: enrollment.id,
          status,
        }),
      );
    },
  );

  // Polled by the enrollment page's script: its refusals stay JSON.
  r.get<{ Params: KeyParams & { id: string } }>(
    '/e/:key/go/enroll/:id/status',
    { ...signedInUser, config: { portalRefusal: 'json' } },
    async (request, reply) =>
      reply.header('cache-control', 'no-store').send(portal.profileStatus(principalOf(request), request.params.id)),
  );

  r.get<{ Params: KeyParams & { id: string } }>(
    '/e/:key/go/enroll/:id/profile',
    { ...readyUser, config: { portalRefusal: backTo('home') } },
    async (request, reply) => {
      const profile = await portal.downloadProfile(
        principalOf(request),
        request.params.id,
        request.headers['user-agent'],
        request.ip,
      );
      return sendProfile(reply, profile);
    },
  );

  r.post(
    '/e/:key/go/qr',
    { ...readyUser, schema: { params: PortalKeyParams, body: QrForm } },
    async (request, reply) => {
      const { purpose, platform } = request.body;
      const qr = await portal.signInQr(principalOf(request), purpose, request.ip);
      const c = context(request, reply);
      return sendPage(reply, 200, homeView(request, c, { qr, platform: isPlatform(platform) ? platform : undefined }));
    },
  );

  r.get<{ Params: KeyParams & { token: string } }>(
    '/e/:key/go/t/:token',
    { ...anyone, config: { portalRefusal: backTo('signIn') } },
    async (request, reply) => {
      const { token } = portal.redeem(request.params.token, request.ip);
      setSession(reply, token);
      return reply.redirect(portalPaths(request.params.key).home, 303);
    },
  );

  r.post(
    '/e/:key/go/sign-out',
    { ...signedInUser, schema: { params: PortalKeyParams, body: SignOutForm } },
    async (request, reply) => {
      portal.signOut(principalOf(request), request.ip);
      void reply.clearCookie(PORTAL_COOKIE, { path: '/' });
      return reply.redirect(portalPaths(request.params.key).base, 303);
    },
  );
}
