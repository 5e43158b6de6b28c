// @ts-check
'use strict';
// Starts a built app's server (`node dist/<app>/server/server.mjs`) on a free port in its own
// process group, waits until it answers, and stops the whole group again.
const { spawn } = require('node:child_process');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { killGroup } = require('./run-step.js');

/**
 * @typedef {object} AppServer
 * @property {number} port
 * @property {string} url `http://127.0.0.1:<port>`
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => string} output Everything the server printed so far.
 * @property {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} exited
 * @property {() => Promise<void>} stop Ends the server's process group (SIGTERM, then SIGKILL after 5 s).
 */

/**
 * @typedef {object} StartServerOptions
 * @property {NodeJS.ProcessEnv} env
 * @property {string} [nodeBin] folder of the `node` to run (default: this process's)
 * @property {number} [port] default: a free one
 * @property {number} [startTimeoutMs]
 * @property {'pipe' | 'inherit'} [stdio]
 * @property {string[]} [args] arguments after the entry
 * @property {string} [cwd] working directory of the server
 * @property {string} [readyPath] path whose answer (any status below 500) means started (default `/favicon.ico`)
 */

/**
 * A TCP port that was free a moment ago on 127.0.0.1.
 * @returns {Promise<number>}
 */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `entry` with `env` on `port` (default: a free one) and resolves once `GET /favicon.ico` answers
 * (or `readyPath`; with a status below 500).
 * The returned handle exposes the base URL, the output so far and `stop()`.
 * @param {string} entry
 * @param {StartServerOptions} options
 * @returns {Promise<AppServer>}
 */
async function startServer(
  entry,
  { env, nodeBin, port: wantedPort, startTimeoutMs = 60_000, stdio = 'pipe', args = [], readyPath = '/favicon.ico', cwd },
) {
  const port = wantedPort ?? (await freePort());
  const node = nodeBin ? join(nodeBin, 'node') : process.execPath;
  const child = spawn(node, [entry, ...args], {
    cwd,
    env: { ...env, PORT: String(port) },
    detached: true,
    stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk) => (output += chunk.toString()));
  /** @type {AppServer['exited']} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  /** @type {AppServer} */
  const handle = {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    exited,
    async stop() {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  /** @type {{ info?: { code: number | null, signal: NodeJS.Signals | null } }} */
  const exit = {};
  exited.then((info) => (exit.info = info));
  while (Date.now() < deadline) {
    if (exit.info) {
      throw new Error(`the server exited during start-up (code ${exit.info.code}, signal ${exit.info.signal}):\n${output}`);
    }
    try {
      const response = await fetch(`${handle.url}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) {
        return handle;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await handle.stop();
  throw new Error(`the server did not answer within ${startTimeoutMs / 1000} s:\n${output}`);
}

module.exports = { freePort, startServer };
