import { send, type TestResponse } from './http.js';

/** A browser-like client for the /go portal over HTTPS: keeps cookies, follows nothing by itself, reads CSRF fields. */
export class PortalClient {
  private cookies = new Map<string, string>();
  last: TestResponse | null = null;

  constructor(
    readonly origin: string,
    readonly caPem: string,
    readonly userAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    readonly acceptLanguage = 'ja-JP',
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return {
      'user-agent': this.userAgent,
      'accept-language': this.acceptLanguage,
      ...(cookie ? { cookie } : {}),
      ...extra,
    };
  }

  private keep(res: TestResponse): TestResponse {
    for (const c of res.headers['set-cookie'] ?? []) {
      const [pair] = c.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      if (/Expires=Thu, 01 Jan 1970|Max-Age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value.join('='));
    }
    this.last = res;
    return res;
  }

  /** GET a path (or absolute URL) on the portal. */
  async get(path: string): Promise<TestResponse> {
    return this.keep(await send(new URL(path, this.origin).href, { ca: this.caPem, headers: this.headers() }));
  }

  /** POST a form the way Safari does (with Origin). */
  async post(path: string, form: Record<string, string>): Promise<TestResponse> {
    const body = new URLSearchParams(form).toString();
    return this.keep(
      await send(new URL(path, this.origin).href, {
        method: 'POST',
        ca: this.caPem,
        body,
        headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', origin: this.origin }),
      }),
    );
  }

  /** The CSRF token in the last page's forms. */
  csrf(): string {
    const m = /name="csrf" value="([^"]+)"/.exec(this.last?.text ?? '');
    if (!m?.[1]) throw new Error('no CSRF field on the page');
    return m[1];
  }

  /** The session cookie, for tools that download with it. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * The portal's sign-in form as a function: each call posts it once from a fresh client (no cookies), in English, the
 * way a new browser would. The form's address is read once from the redirect of `/go`.
 */
export async function portalSignIn(
  origin: string,
  caPem: string,
): Promise<(email: string, secret: string) => Promise<TestResponse>> {
  const go = await send(`${origin}/go`, { ca: caPem });
  const path = `${String(go.headers.location)}/sign-in`;
  return (email, secret) => new PortalClient(origin, caPem, undefined, 'en').post(path, { email, secret });
}
