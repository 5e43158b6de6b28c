import { createConnection } from 'node:net';
import { freePort } from '../../scripts/lib/app-server';
import { runStep } from '../../scripts/lib/run-step';
import { REPO_ROOT } from './harness/prepared-app';

/** True when something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run demo', () => {
  it('--no-serve: builds the app, serves it with a token, passes its self-check, prints the commands, stops the server', async () => {
    const port = await freePort();
    const result = await runStep('npm run demo -- --no-serve', process.execPath, ['scripts/demo.mjs', '--no-serve'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: String(port) },
      timeoutMs: 20 * 60_000,
      allowFailure: true,
    });
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    const out = result.output;
    expect(out).toContain(`ng-isr demo is running: http://localhost:${port}`);
    const token = /token: ([0-9a-f]{32})/.exec(out)?.[1];
    expect(token).toBeDefined();
    expect(out).toContain(`curl -s -o /dev/null -D - http://localhost:${port}/news | grep -i x-isr-cache`);
    expect(out).toContain(`ISR_INVALIDATE_TOKEN=${token} npx ng run isr21:isr-invalidate --base-url http://localhost:${port} --urls /about`);
    expect(out).toMatch(/self-check: GET \/news -> 200 MISS, then 200 HIT; POST \/api\/invalidate -> 200 \{"invalidated":\["\/news"\]/);
    expect(out).toMatch(/\[6\/6\] start the server/);
    expect(await listening(port)).toBe(false);
  }, 25 * 60_000);
});
