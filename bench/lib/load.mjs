// The load generator for the throughput rows. `wrk` (C, one thread) when it is installed: on a
// 2-core machine a client written in JavaScript spends about as much CPU per request as the
// server it measures, and every ratio between fast servers then shrinks towards 1 (the client,
// not the server, is the limit). autocannon (in this process) otherwise, or with BENCH_CLIENT=autocannon.
import autocannon from 'autocannon';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What `wrk` prints at the end (its `done` hook): one JSON line. wrk counts answers with a status
 * of 400 or more (`errors.status`), reported as non-2xx: the measured rows all answer 200.
 */
const WRK_REPORT = `
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"errors":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

function hasWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // `wrk --version` exits 1 after printing its version: only a missing binary is "not installed".
    return error?.code !== 'ENOENT';
  }
}

/** `wrk` or `autocannon`: the choice, and why (printed with the results). */
export function loadClient() {
  const wanted = process.env.BENCH_CLIENT;
  if (wanted === 'autocannon') return 'autocannon';
  if (hasWrk()) return 'wrk';
  if (wanted === 'wrk') throw new Error('BENCH_CLIENT=wrk but wrk is not installed (apt-get install wrk)');
  return 'autocannon';
}

/**
 * `connections` keep-alive connections sending GET `url` with `headers` for `durationS` seconds.
 * Resolves `{ rps, p50, p99, total, non2xx, errors }` (latencies in milliseconds).
 */
export async function load(client, url, headers, connections, durationS) {
  if (client === 'autocannon') {
    const result = await autocannon({ url, headers, connections, duration: durationS, pipelining: 1 });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ng-isr-wrk-'));
  try {
    const script = join(dir, 'report.lua');
    writeFileSync(script, WRK_REPORT);
    const args = ['-t1', `-c${connections}`, `-d${durationS}s`, '--timeout', '10s', '-s', script];
    for (const [name, value] of Object.entries(headers ?? {})) args.push('-H', `${name}: ${value}`);
    args.push(url);
    const output = await new Promise((resolve, reject) =>
      execFile('wrk', args, { encoding: 'utf8', timeout: (durationS + 30) * 1000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`wrk ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve(stdout),
      ),
    );
    const line = output.split('\n').find((text) => text.startsWith('{"requests"'));
    if (!line) throw new Error(`wrk printed no report:\n${output}`);
    const report = JSON.parse(line);
    return {
      rps: report.requests / (report.durationUs / 1e6),
      p50: report.p50Us / 1000,
      p99: report.p99Us / 1000,
      total: report.requests,
      non2xx: report.non2xx,
      errors: report.errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
