import { CodeStyle, quoted } from '../utils/code-style';

/** The environment variable bounding the drain, and its default (docs/deploy.md's artefacts use 25 s). */
export const SHUTDOWN_TIMEOUT_ENV = 'SHUTDOWN_TIMEOUT_MS';
export const DEFAULT_SHUTDOWN_TIMEOUT = '25_000';
/** The health route the deploy artefacts probe (docs/deploy.md). */
export const HEALTH_PATH = '/healthz';

/** The names the generated lines use, each free in the file (or the file's own). */
export interface ShutdownNames {
  app: string;
  /** The listening `http.Server`. */
  server: string;
  /** The module-level flag that /healthz reads. */
  flag: string;
  /** An expression for the ISRHandler instance where the server listens. */
  isr: string;
  timeout: string;
  shutDown: string;
}

/** A comment of several lines: `/** … *\/` (Angular 19+ files) or `//` lines (17/18). */
export function commentLines(block: boolean, lines: readonly string[]): string[] {
  return block ? ['/**', ...lines.map((line) => ` * ${line}`), ' */'] : lines.map((line) => `// ${line}`);
}

/** `let shuttingDown = false;` with its comment. */
export function flagLines(style: CodeStyle, block: boolean, names: ShutdownNames): string[] {
  return [
    ...commentLines(block, [`Set on SIGTERM/SIGINT: ${HEALTH_PATH} answers 503 while requests in flight finish.`]),
    `let ${names.flag} = false${style.semicolon}`,
  ];
}

/** `app.get('/healthz', …)`: cheap, never rendered or cached, 503 while draining. */
export function healthLines(style: CodeStyle, block: boolean, names: ShutdownNames): string[] {
  const q = (value: string) => quoted(style, value);
  return [
    ...commentLines(block, ['Health check for load balancers and probes: never rendered or cached, 503 while draining.']),
    `${names.app}.get(${q(HEALTH_PATH)}, (_req, res) => {`,
    `${style.indentUnit}res.status(${names.flag} ? 503 : 200).type(${q('text/plain')})${style.semicolon}`,
    `${style.indentUnit}res.send(${names.flag} ? ${q('stopping')} : ${q('ok')})${style.semicolon}`,
    `})${style.semicolon}`,
  ];
}

/** For an app built by a factory function: the handler goes on the app, where the listening code can reach it. */
export function bridgeLines(style: CodeStyle, block: boolean, app: string, isrName: string): string[] {
  return [
    ...commentLines(block, ['Closed by the graceful shutdown where the server listens.']),
    `${app}.locals[${quoted(style, isrName)}] = ${isrName}${style.semicolon}`,
  ];
}

/**
 * The shutdown itself, after the listen call: stop accepting, drain within the bound, close the
 * ISR handler (renders, fleet locks, tier) keeping one second of the bound for the tier, exit 0;
 * a second signal exits at once.
 */
export function shutdownLines(style: CodeStyle, block: boolean, names: ShutdownNames): string[] {
  const u = style.indentUnit;
  const s = style.semicolon;
  const { server, flag, timeout, shutDown } = names;
  return [
    ...commentLines(block, [
      'Graceful shutdown on SIGTERM (rolling deploys) or SIGINT: stop accepting connections,',
      `let requests and renders in flight finish within ${SHUTDOWN_TIMEOUT_ENV} (25 s by default),`,
      'close the ISR cache tier, exit. A second signal exits at once.',
    ]),
    `const ${timeout} = Number(process.env[${quoted(style, SHUTDOWN_TIMEOUT_ENV)}]) || ${DEFAULT_SHUTDOWN_TIMEOUT}${s}`,
    `const ${shutDown} = async (): Promise<void> => {`,
    `${u}if (${flag}) process.exit(1)${s}`,
    `${u}${flag} = true${s}`,
    `${u}const deadline = Date.now() + ${timeout}${s}`,
    `${u}// The bound: whatever still runs after it is cut off.`,
    `${u}setTimeout(() => process.exit(1), ${timeout}).unref()${s}`,
    `${u}// Stop accepting connections; requests in flight (and their renders) finish.`,
    `${u}const closed = new Promise((resolve) => ${server}.close(resolve))${s}`,
    `${u}${server}.closeIdleConnections()${s}`,
    `${u}await closed${s}`,
    `${u}// Wait for renders still running (regenerations release their locks), then close the`,
    `${u}// cache tier, keeping the last second of the bound for that.`,
    `${u}const rendersMs = Math.max(0, deadline - Date.now() - 1_000)${s}`,
    `${u}await ${names.isr}.close({ timeoutMs: rendersMs })${s}`,
    `${u}process.exit(0)${s}`,
    `}${s}`,
    `process.on(${quoted(style, 'SIGTERM')}, () => void ${shutDown}())${s}`,
    `process.on(${quoted(style, 'SIGINT')}, () => void ${shutDown}())${s}`,
  ];
}
