/**
 * Where ISRHandler reports what it does. Every method receives one finished line; implementations
 * may forward to pino/winston/console. Tokens and request headers are never part of a message.
 */
export interface ISRLogger {
  /** Detailed tracing (renders, stores); off in the default logger. */
  debug?(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const PREFIX = '[ng-isr]';

/** Concise console lines prefixed with `[ng-isr]`; debug lines are dropped. */
export const consoleLogger: ISRLogger = {
  info: (message) => console.log(`${PREFIX} ${message}`),
  warn: (message) => console.warn(`${PREFIX} ${message}`),
  error: (message) => console.error(`${PREFIX} ${message}`),
};

/** Drops every line (option `logger: false`). */
export const silentLogger: ISRLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Resolves the `logger` option: an object is used as is, `false` silences, absent → console. */
export function resolveLogger(option: ISRLogger | false | undefined): ISRLogger {
  if (option === false) {
    return silentLogger;
  }
  return option ?? consoleLogger;
}

/** Message of an unknown thrown value, without stack, for one-line logs and `failed` reasons. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message || error.name;
  }
  return typeof error === 'string' ? error : String(error);
}

/**
 * Wraps a user's logger so that a throwing method never breaks request handling or a background
 * regeneration (the line is dropped; there is nowhere safer to report it).
 */
export function guardLogger(logger: ISRLogger): ISRLogger {
  const guard =
    (write: ((message: string) => void) | undefined) =>
    (message: string): void => {
      try {
        write?.call(logger, message);
      } catch {
        // A logger must not take the page down with it.
      }
    };
  const guarded: ISRLogger = { info: guard(logger.info), warn: guard(logger.warn), error: guard(logger.error) };
  if (logger.debug) {
    guarded.debug = guard(logger.debug);
  }
  return guarded;
}
