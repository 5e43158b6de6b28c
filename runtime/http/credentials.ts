import type { IncomingMessage } from 'node:http';

/**
 * Cookies that mark a request as personal by default (such requests BYPASS the cache). Matched
 * case-insensitively; `*` matches any run of characters. Cookies that every anonymous visitor
 * gets (analytics, consent, Angular's `XSRF-TOKEN`, Django's `csrftoken`) are left out on purpose:
 * they would turn the cache off for everyone. Any `__Host-` / `__Secure-` cookie also counts.
 */
export const DEFAULT_CREDENTIAL_COOKIES: readonly string[] = [
  // Generic names and JWT-style cookies
  'session',
  'sessionid',
  'session_id',
  'sid',
  'auth',
  'auth_token',
  'token',
  'access_token',
  'id_token',
  'refresh_token',
  'jwt',
  'remember_token',
  // Node: express-session, cookie-session, express-openid-connect (Auth0)
  'connect.sid',
  'session.sig',
  'express:sess',
  'appSession',
  'auth0*',
  // Java (Servlet; Spring Session's `SESSION` is `session` above), PHP, ASP.NET / ASP.NET Core
  'JSESSIONID',
  'PHPSESSID',
  'ASP.NET_SessionId',
  '.ASPXAUTH',
  '.AspNetCore.*',
  // Rails (`_<app>_session`), Laravel, CodeIgniter and other `<name>_session` cookies
  '*_session',
  'remember_web_*',
  // Auth.js / NextAuth, Firebase Hosting, Clerk, Supabase, AWS Cognito
  'next-auth.*',
  'authjs.*',
  '__session',
  'sb-*',
  'CognitoIdentityServiceProvider.*',
  // WordPress, Shopify, Keycloak
  'wordpress_logged_in_*',
  'wordpress_sec_*',
  '_secure_session_id',
  'storefront_digest',
  'KEYCLOAK_SESSION*',
  'KEYCLOAK_IDENTITY*',
  'AUTH_SESSION_ID*',
];

/** Cookie-name prefixes browsers reserve for secure cookies: always treated as credentials. */
const SECURE_PREFIXES = /^__(?:host|secure)-/i;

/** One case-insensitive regular expression for a list of names with `*` wildcards. */
function namePattern(names: readonly string[]): RegExp | undefined {
  if (names.length === 0) {
    return undefined;
  }
  const alternatives = names.map((name) =>
    name
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
}

/** True for a cookie name the credentials check counts (a `__Host-`/`__Secure-` name, or one matching `cookieNames`). */
export function compileCredentialCookieName(cookieNames: readonly string[]): (name: string) => boolean {
  const pattern = namePattern(cookieNames);
  return (name) => SECURE_PREFIXES.test(name) || pattern?.test(name) === true;
}

/**
 * Compiles the credentials check: an `Authorization` or `Proxy-Authorization` header, a
 * `__Host-`/`__Secure-` cookie, or a cookie whose name matches `cookieNames` (any case, `*`
 * wildcards). Only cookie names are read; values are never parsed or logged.
 */
export function compileCredentialCheck(cookieNames: readonly string[]): (req: IncomingMessage) => boolean {
  const pattern = namePattern(cookieNames);
  return (req) => {
    const headers = req.headers;
    if (headers.authorization !== undefined || headers['proxy-authorization'] !== undefined) {
      return true;
    }
    const cookie = headers.cookie;
    if (cookie === undefined) {
      return false;
    }
    for (const pair of cookie.split(';')) {
      const eq = pair.indexOf('=');
      const name = (eq === -1 ? pair : pair.slice(0, eq)).trim();
      if (name !== '' && (SECURE_PREFIXES.test(name) || pattern?.test(name) === true)) {
        return true;
      }
    }
    return false;
  };
}
