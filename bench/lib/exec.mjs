// Child-process helpers for the benchmark: thin wrappers over the ones `npm run demo` and the e2e
// suite use (scripts/lib), plus the RSS probe the benchmark needs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { runStep } = require('../../scripts/lib/run-step.js');
const appServer = require('../../scripts/lib/app-server.js');

/** A free TCP port on 127.0.0.1. */
export const freePort = appServer.freePort;

/**
 * Runs a command to completion (bounded by `timeoutMs`; its whole process group is ended on a
 * timeout); throws with the output's tail, naming the step, on failure. Resolves with the output.
 */
export async function run(step, command, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  const started = Date.now();
  const { output } = await runStep(`bench: ${step}`, command, args, { cwd, env: { ...process.env, ...env }, timeoutMs });
  log(`  ${step} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return output;
}

export function log(line) {
  process.stderr.write(`${line}\n`);
}

/**
 * Starts a server process (`node <script> ...args`) and resolves once `readyUrl` answers below 500
 * (bounded by `timeoutMs`). The returned handle stops it (SIGTERM, then SIGKILL) and reads its RSS from /proc.
 */
export async function startServer(name, command, args, { cwd, env, readyUrl, timeoutMs = 60_000 }) {
  if (command !== process.execPath) {
    throw new Error(`bench server "${name}": only node scripts are started (got ${command})`);
  }
  const ready = new URL(readyUrl);
  let server;
  try {
    server = await appServer.startServer(args[0], {
      env: { ...process.env, ...env },
      args: args.slice(1),
      cwd,
      port: Number(ready.port),
      readyPath: `${ready.pathname}${ready.search}`,
      startTimeoutMs: timeoutMs,
    });
  } catch (error) {
    throw new Error(`server "${name}" did not start: ${error instanceof Error ? error.message : error}`, { cause: error });
  }
  return {
    name,
    pid: server.child.pid,
    output: () => server.output().slice(-8_000),
    rssBytes: () => rssOf(server.child.pid),
    stop: () => server.stop(),
  };
}

/** Resident set size of a process in bytes (Linux /proc), or NaN. */
export function rssOf(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return Number.NaN;
  }
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}
