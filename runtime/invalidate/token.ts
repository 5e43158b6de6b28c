import { createHash, timingSafeEqual } from 'node:crypto';
import type { ISRLogger } from '../utils/logger.js';

/** Tokens shorter than this are accepted with a warning (guessable). */
export const MIN_TOKEN_LENGTH = 16;

/**
 * Compares a presented token with the configured one in constant time. Both are hashed first so
 * that neither the length nor the content leaks through timing.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, if that is what the header holds. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) {
    return undefined;
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match ? match[1] : undefined;
}

/**
 * The configured token as the endpoint uses it: trimmed (a secret file's trailing newline), and
 * `undefined` (invalidation off, 403) when nothing is left. Warns when it is off or short; the
 * token itself is never logged.
 */
export function configuredToken(raw: string | undefined, logger: Pick<ISRLogger, 'warn'>): string | undefined {
  const token = typeof raw === 'string' ? raw.trim() : undefined;
  if (token === undefined || token === '') {
    logger.warn(
      raw === undefined
        ? 'invalidateSecretToken is not set: on-demand invalidation is off (the endpoint answers 403). Set ISR_INVALIDATE_TOKEN to enable it.'
        : 'invalidateSecretToken is blank: on-demand invalidation is off (the endpoint answers 403). Set ISR_INVALIDATE_TOKEN to a long random value.',
    );
    return undefined;
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    logger.warn(
      `invalidateSecretToken is shorter than ${MIN_TOKEN_LENGTH} characters and easy to guess; use a long random value (e.g. openssl rand -hex 32).`,
    );
  }
  return token;
}
