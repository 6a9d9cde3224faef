// Invitation links as emails carry them, and what the first-visit page's script makes of them. While the office CA is
// in use a link leads to the first-visit page on the plain-HTTP bootstrap listener, the token in its fragment
// (`http://host:8080/e/<key>/go#invite=<token>`); the page hands on to `https://host:8443/e/<key>/i/<token>/go`.

/** The invitation link in an email's text: the first address of a /go page, with its `#invite=` fragment if any. */
export function invitationLinkIn(text: string): string {
  const m = /(https?:\/\/\S+?\/go(?:#invite=[\w-]+)?)(?=[\s)>]|$)/.exec(text);
  if (!m?.[1]) throw new Error(`no /go link in:\n${text}`);
  return m[1];
}

/**
 * What the first-visit page hands an invitation link on to: the HTTPS portal's invitation page at `deviceOrigin`
 * (the token moves from the fragment into the path). A link that already leads to HTTPS keeps its path.
 */
export function handOff(link: string, deviceOrigin: string): string {
  const url = new URL(link);
  if (url.protocol === 'https:') return `${deviceOrigin}${url.pathname}`;
  const token = /^#invite=([\w-]+)$/.exec(url.hash)?.[1];
  const path = token ? url.pathname.replace(/\/go$/, `/i/${token}/go`) : url.pathname;
  return `${deviceOrigin}${path}`;
}
