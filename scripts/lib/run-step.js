// @ts-check
'use strict';
// Runs one external command as a named step (used by `npm run demo` and the e2e harness).
// Every child gets its own process group so that a timeout ends the whole tree (npx -> ng -> esbuild).
const { spawn } = require('node:child_process');

/** Lines of output kept for the error message of a failed step. */
const TAIL_LINES = 40;

/**
 * @typedef {object} RunStepOptions
 * @property {string} [cwd]
 * @property {NodeJS.ProcessEnv} [env]
 * @property {number} [timeoutMs] Ends the command's whole process group after this long (default 10 min).
 * @property {boolean} [allowFailure] Resolve with the exit code instead of rejecting on a non-zero exit.
 * @property {(text: string) => void} [onOutput] Called with each chunk of output as it arrives.
 */

/**
 * @typedef {object} StepResult
 * @property {number} code
 * @property {string} output stdout and stderr, interleaved as they arrived.
 */

/** A step that failed: which one, the command, and the last lines of its output. */
class StepError extends Error {
  /**
   * @param {string} step
   * @param {string} command
   * @param {string} reason
   * @param {string} output
   */
  constructor(step, command, reason, output) {
    const tail = output.trim().split('\n').slice(-TAIL_LINES).join('\n');
    super(`step "${step}" failed: ${reason}\n  command: ${command}${tail ? `\n  last output:\n${indent(tail)}` : ''}`);
    this.name = 'StepError';
    this.step = step;
    this.output = output;
  }
}

/** @param {string} text */
function indent(text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

/**
 * Sends `signal` to the process group of `child` (falls back to the child alone).
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
  if (child.pid === undefined) {
    return;
  }
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Runs `command args` and resolves with its combined output; rejects with a {@link StepError}
 * on a non-zero exit (unless `allowFailure`), a spawn error or the timeout.
 * @param {string} step
 * @param {string} command
 * @param {string[]} args
 * @param {RunStepOptions} [options]
 * @returns {Promise<StepResult>}
 */
function runStep(step, command, args, options = {}) {
  const { cwd, env = process.env, timeoutMs = 10 * 60_000, allowFailure = false, onOutput } = options;
  const printable = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    /** @param {Buffer} chunk */
    const collect = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (onOutput) {
        onOutput(text);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5_000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new StepError(step, printable, error.message, output));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new StepError(step, printable, `timed out after ${Math.round(timeoutMs / 1000)} s`, output));
      } else if (code !== 0 && !allowFailure) {
        reject(new StepError(step, printable, signal ? `killed by ${signal}` : `exit code ${code}`, output));
      } else {
        resolve({ code: code ?? -1, output });
      }
    });
  });
}

module.exports = { runStep, StepError, killGroup };
