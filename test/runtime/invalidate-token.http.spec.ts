import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ISRHandler } from '../../runtime/isr-handler.js';
import type { ISRHandlerOptions } from '../../runtime/isr-handler-options.js';
import { TokenGuard } from '../../runtime/invalidate/token-guard.js';
import type { ISREvent } from '../../runtime/render/isr-events.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { TestEngine } from './support/test-engine.js';

const TOKEN = 'correct-horse-battery-staple';

/** Express with `trust proxy` (so `req.ip` comes from X-Forwarded-For) and the ng add wiring. */
async function startApp(options: Partial<ISRHandlerOptions>) {
  const logger = new CapturingLogger();
  const events: ISREvent[] = [];
  const engine = new TestEngine().route('/a', { revalidate: 60 });
  const isr = new ISRHandler({ engine, logger, onEvent: (event) => events.push(event), buildId: false, ...options });
  const app = express();
  app.set('trust proxy', true);
  app.post('/api/invalidate', express.json(), isr.invalidate, isr.invalidateBodyErrors);
  app.use((req, res, next) => isr.handle(req, res, next));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = async (token: string | undefined, client = '203.0.113.1') => {
    const response = await fetch(base + '/api/invalidate', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': client,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ urlsToInvalidate: ['/a'] }),
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      json: (await response.json()) as Record<string, unknown>,
    };
  };
  const close = async () => {
    await isr.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { logger, events, post, close };
}

describe('the invalidate token and its endpoint (rule 9)', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  afterEach(async () => {
    await app?.close();
  });

  it.each(['', '   ', '\n\t'])('a blank token (%j) turns invalidation off: 403 and a warning', async (token) => {
    app = await startApp({ invalidateSecretToken: token });
    // Nothing at construction (`ng build` runs server.ts to extract routes): once, at the first request.
    expect(app.logger.at('warn')).toEqual([]);
    expect((await app.post(token)).status).toBe(403);
    expect((await app.post('')).status).toBe(403);
    expect(app.logger.at('warn').filter((line) => line.includes('invalidateSecretToken'))).toHaveLength(1);
  });

  it('a short token works but logs a warning that never contains it', async () => {
    app = await startApp({ invalidateSecretToken: 'sh0rt-s3cret' });
    expect((await app.post('sh0rt-s3cret')).status).toBe(200);
    expect((await app.post('sh0rt-s3cret')).status).toBe(200);
    expect(app.logger.at('warn')).toEqual([expect.stringContaining('shorter than 16 characters')]);
    expect(app.logger.messages().join('\n')).not.toContain('sh0rt-s3cret');
  });

  it("a long token raises no warning; the configured token's surrounding whitespace (a secret file's newline) is ignored", async () => {
    app = await startApp({ invalidateSecretToken: `${TOKEN}\n` });
    expect(app.logger.at('warn')).toEqual([]);
    expect((await app.post(TOKEN)).status).toBe(200);
  });

  it('after 10 failed attempts in a minute a client gets 429 with Retry-After, even with the right token; other clients do not', async () => {
    app = await startApp({ invalidateSecretToken: TOKEN });
    for (let i = 0; i < 10; i++) {
      expect((await app.post(i % 2 === 0 ? `wrong-${i}` : undefined)).status).toBe(401);
    }
    const limited = await app.post(TOKEN);
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ error: expect.stringContaining('Too many failed token attempts') });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
    // Another client (req.ip from X-Forwarded-For under trust proxy) is not affected.
    expect((await app.post(TOKEN, '198.51.100.7')).status).toBe(200);
    const denied = app.events.filter((event) => event.type === 'invalidate-denied');
    expect(denied.map((event) => event.type === 'invalidate-denied' && event.reason)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'invalid' : 'missing')),
      'limited',
    ]);
    // Logged at most once a minute (with a count), never with a token.
    const warnings = app.logger.at('warn').filter((line) => line.includes('missing or wrong token'));
    expect(warnings).toEqual([expect.stringContaining('1 request(s)')]);
    expect(app.logger.messages().join('\n')).not.toMatch(/wrong-\d|correct-horse/);
  });

  it('invalidate.maxFailedAttempts changes the limit; 0 turns it off', async () => {
    app = await startApp({ invalidateSecretToken: TOKEN, invalidate: { maxFailedAttempts: 2 } });
    expect((await app.post('x')).status).toBe(401);
    expect((await app.post('y')).status).toBe(401);
    expect((await app.post(TOKEN)).status).toBe(429);
    await app.close();
    app = await startApp({ invalidateSecretToken: TOKEN, invalidate: { maxFailedAttempts: 0 } });
    for (let i = 0; i < 30; i++) {
      expect((await app.post('wrong')).status).toBe(401);
    }
    expect((await app.post(TOKEN)).status).toBe(200);
  });
});

describe('TokenGuard (clock injected)', () => {
  function guard(maxClients?: number) {
    let now = 1_000_000;
    const logger = new CapturingLogger();
    const events: ISREvent[] = [];
    const instance = new TokenGuard({ maxFailures: 3, logger, emit: (event) => events.push(event), now: () => now, maxClients });
    return { instance, logger, events, advance: (ms: number) => (now += ms) };
  }

  it('limits a client until its minute ends, then counts afresh', () => {
    const { instance, advance } = guard();
    for (let i = 0; i < 3; i++) instance.fail('c', 'invalid');
    expect(instance.retryAfter('c')).toBe(60);
    advance(45_000);
    expect(instance.retryAfter('c')).toBe(15);
    advance(15_000);
    expect(instance.retryAfter('c')).toBeUndefined();
    instance.fail('c', 'invalid');
    expect(instance.retryAfter('c')).toBeUndefined();
  });

  it('logs failures at most once a minute, with the count since the last line', () => {
    const { instance, logger, advance } = guard();
    for (let i = 0; i < 5; i++) instance.fail(`c${i}`, 'invalid');
    advance(60_000);
    instance.fail('c9', 'missing');
    expect(logger.at('warn')).toEqual([
      expect.stringContaining('1 request(s) with a missing or wrong token'),
      expect.stringContaining('5 request(s) with a missing or wrong token'),
    ]);
  });

  it('tracks a bounded number of clients (the least recently failing are forgotten)', () => {
    const { instance } = guard(2);
    for (let i = 0; i < 3; i++) instance.fail('a', 'invalid');
    for (const client of ['b', 'c']) instance.fail(client, 'invalid');
    expect(instance.retryAfter('a')).toBeUndefined();
  });
});
