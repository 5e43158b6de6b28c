'use strict';
// Starts a built app's server (`node dist/<app>/server/server.mjs`) on a free port in its own
// process group, waits until it answers, and stops the whole group again.
const { spawn } = require('node:child_process');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { killGroup } = require('./run-step.js');

/** A TCP port that was free a moment ago on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `entry` with `env` on `port` (default: a free one) and resolves once `GET /favicon.ico` answers.
 * The returned handle exposes the base URL, the output so far and `stop()`.
 */
async function startServer(entry, { env, nodeBin, port: wantedPort, startTimeoutMs = 60_000, stdio = 'pipe' }) {
  const port = wantedPort ?? (await freePort());
  const node = nodeBin ? join(nodeBin, 'node') : process.execPath;
  const child = spawn(node, [entry], {
    env: { ...env, PORT: String(port) },
    detached: true,
    stdio: stdio === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
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
  let exitInfo;
  exited.then((info) => (exitInfo = info));
  while (Date.now() < deadline) {
    if (exitInfo) {
      throw new Error(`the server exited during start-up (code ${exitInfo.code}, signal ${exitInfo.signal}):\n${output}`);
    }
    try {
      await fetch(`${handle.url}/favicon.ico`, { signal: AbortSignal.timeout(2_000) });
      return handle;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await handle.stop();
  throw new Error(`the server did not answer within ${startTimeoutMs / 1000} s:\n${output}`);
}

module.exports = { freePort, startServer };
