// Which certificate a TLS listener presents: in public mode, the imported certificate to clients asking (by SNI) for
// one of its DNS names; the office CA's certificate to every other name and to clients without SNI (IP addresses),
// so devices enrolled under the office names keep the certificate their profiles trust.
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';

/** A certificate, its private key and the chain sent after the certificate, in PEM. */
export interface PemCredential {
  keyPem: string;
  certPem: string;
  chainPem: string;
}

/** The credentials a listener presents: the office one by default, the public one (or none) by SNI. */
export interface ListenerCredentials {
  office: PemCredential;
  public: PemCredential | null;
}

/** A listening Node TLS server: its default certificate can be swapped for new connections. */
export interface SecureContextHolder {
  setSecureContext(options: { key: string; cert: string }): void;
}

/** HTTPS options for a listener that follows a selector. */
export interface SelectedTlsOptions {
  key: string;
  cert: string;
  SNICallback: (servername: string, callback: (err: Error | null, context?: SecureContext) => void) => void;
}

/** Chooses the certificate per connection and loads new ones into the listeners without a restart. */
export interface TlsSelector {
  /** Options for creating a listener: the office certificate as its default, the public one by SNI. */
  options(): SelectedTlsOptions;
  /** Adds a listening server whose default certificate follows the office credential. */
  attach(server: SecureContextHolder): void;
  /** Loads new credentials: new connections get them at once, open ones finish on the old. */
  load(credentials: ListenerCredentials): void;
  /** Which credential a client asking for `servername` gets (undefined: no SNI). */
  choose(servername: string | undefined): 'office' | 'public';
}

function keyAndCert(c: PemCredential): { key: string; cert: string } {
  return { key: c.keyPem, cert: `${c.certPem}${c.chainPem}` };
}

/** Builds a selector over the first credentials. */
export function createTlsSelector(initial: ListenerCredentials): TlsSelector {
  const servers: SecureContextHolder[] = [];
  let office = initial.office;
  let pub: { certificate: X509Certificate; context: SecureContext } | null = null;
  const loadPublic = (c: PemCredential | null) => {
    pub = c ? { certificate: new X509Certificate(c.certPem), context: createSecureContext(keyAndCert(c)) } : null;
  };
  loadPublic(initial.public);

  const selector: TlsSelector = {
    options: () => ({
      ...keyAndCert(office),
      // No context means the server's default one: the office certificate, as swapped by setSecureContext.
      SNICallback: (servername, callback) =>
        callback(null, selector.choose(servername) === 'public' ? pub?.context : undefined),
    }),
    attach(server) {
      servers.push(server);
    },
    load(credentials) {
      loadPublic(credentials.public);
      if (credentials.office.certPem !== office.certPem || credentials.office.chainPem !== office.chainPem) {
        office = credentials.office;
        for (const server of servers) server.setSecureContext(keyAndCert(office));
      }
    },
    choose(servername) {
      if (!pub || !servername) return 'office';
      return pub.certificate.checkHost(servername, { subject: 'never' }) !== undefined ? 'public' : 'office';
    },
  };
  return selector;
}
