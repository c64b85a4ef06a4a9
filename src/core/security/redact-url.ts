/**
 * URLs with their secrets hidden, for messages and logs: one function for a URL on its own (a store's, an MCP
 * server's) and for text that holds URLs (git's stderr). What it hides, URL by URL:
 * - a password (`https://user:secret@host` -> `https://user:***@host`);
 * - a user name on its own, which is how tokens are passed (`https://ghp_x@github.com` -> `https://***@github.com`),
 *   except in postgres:// URLs, where it is the role name;
 * - the values of the query's parameters (`?token=abc&sslmode=require` -> `?token=***&sslmode=***`) and the fragment.
 * The rest is kept as written (no parsing, so a URL that does not parse is redacted too).
 */

/** A URL in text: `scheme://…` (or `//…`) up to white space or a quote. */
const URL_IN_TEXT = /(?:\b[a-z][a-z0-9+.-]*:)?\/\/[^\s'"<>`]+/gi;

/** Schemes whose user name is no secret. */
const NAMED_USER_SCHEMES = /^postgres(ql)?:/i;

/** `text` with every URL in it redacted (see the module comment). */
export function redactUrl(text: string): string {
  return text.replace(URL_IN_TEXT, redactOne);
}

function redactOne(url: string): string {
  const afterSlashes = url.indexOf('//') + 2;
  let rest = url.slice(afterSlashes);
  let tail = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    tail = hash === rest.length - 1 ? '#' : '#***';
    rest = rest.slice(0, hash);
  }
  const question = rest.indexOf('?');
  if (question >= 0) {
    tail = `?${rest
      .slice(question + 1)
      .split('&')
      .map(hideValue)
      .join('&')}${tail}`;
    rest = rest.slice(0, question);
  }
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    const hasPassword = colon >= 0 && colon < userinfo.length - 1;
    const shown = hasPassword ? `${user}:***` : NAMED_USER_SCHEMES.test(url) || userinfo === '' ? userinfo : '***';
    rest = `${shown}${rest.slice(at)}`;
  }
  return `${url.slice(0, afterSlashes)}${rest}${tail}`;
}

/** `name=value` -> `name=***` (a name alone, or an empty value, is kept). */
function hideValue(parameter: string): string {
  const eq = parameter.indexOf('=');
  return eq < 0 || eq === parameter.length - 1 ? parameter : `${parameter.slice(0, eq)}=***`;
}
