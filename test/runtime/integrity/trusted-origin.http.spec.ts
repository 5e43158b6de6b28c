import { ISRHandler } from '../../../runtime/isr-handler.js';
import type { ISREvent } from '../../../runtime/render/isr-events.js';
import { TestEngine } from '../support/test-engine.js';
import {
  commonEngineOptions,
  FakeAppEngine,
  FakeCommonEngine,
  sendRaw,
  startApp,
  type EngineInput,
  type IntegrityApp,
} from './support/integrity-app.js';

// The CommonEngine adapter loads APP_BASE_HREF lazily; jest's CommonJS runtime cannot load the
// ESM-only @angular/common, so a stand-in token is provided (the adapter only passes it through).
jest.mock('@angular/common', () => ({ APP_BASE_HREF: 'APP_BASE_HREF' }));

/**
 * Rule 1: the page stored for a key is rendered for that key, on a trusted origin. Host and
 * forwarded headers never reach a render that is stored; malformed ones get a 400 before any render.
 */

const ROUTES = { '/public': 60, '/': 60, '/drafts/preview': 60, '/search': 60, '/plain': undefined };

/** Host values that are no `host[:port]`: each could turn `http://` + Host + path into another URL. */
const MALFORMED_HOSTS = [
  'localhost/drafts/preview?',
  'localhost/search?q=<b>defaced</b>&',
  'localhost?',
  'localhost#',
  'localhost/',
  '127.0.0.1@evil.example',
  'user:pw@localhost',
  'evil.example/x',
  'localhost:80/x',
  'localhost:abc',
  'localhost:99999',
  'local host',
  'localhost\\x',
  '[::1',
  '[not-ipv6]',
  '::1',
  '',
  'a"b',
  'a<b>',
];

const isRegeneration = (key: string) => (event: ISREvent) => event.type === 'regeneration' && event.key === key && event.ok;

type Kind = 'test engine' | 'AngularNodeAppEngine' | 'CommonEngine';

/** Starts the app with one of the three engines; `inputs()` lists what the engine was asked to render. */
async function startWith(kind: Kind, extra: Parameters<typeof startApp>[0] extends infer O ? Partial<O> : never = {}, setup = {}) {
  let inputs: () => EngineInput[];
  let app: IntegrityApp;
  if (kind === 'test engine') {
    const engine = new TestEngine();
    for (const [path, revalidate] of Object.entries(ROUTES)) {
      engine.route(path, { revalidate });
    }
    app = await startApp({ engine, ...extra }, setup);
    inputs = () => engine.requests.map((r) => ({ kind: r.nodeRequest ? 'node' : 'web', url: r.url, headers: r.headers }));
  } else if (kind === 'AngularNodeAppEngine') {
    const engine = new FakeAppEngine(ROUTES);
    app = await startApp({ angularAppEngine: engine, ...extra }, setup);
    inputs = () => engine.inputs;
  } else {
    const engine = new FakeCommonEngine(ROUTES);
    app = await startApp({ ...commonEngineOptions(engine), ...extra }, setup);
    inputs = () => engine.inputs;
  }
  return { app, inputs };
}

describe.each<Kind>(['test engine', 'AngularNodeAppEngine', 'CommonEngine'])('trusted origin (%s)', (kind) => {
  let app: IntegrityApp;
  let inputs: () => EngineInput[];
  const savedHosts = process.env['NG_ALLOWED_HOSTS'];

  beforeEach(() => {
    delete process.env['NG_ALLOWED_HOSTS'];
  });

  afterEach(async () => {
    await app?.close();
    if (savedHosts !== undefined) {
      process.env['NG_ALLOWED_HOSTS'] = savedHosts;
    }
  });

  it.each(MALFORMED_HOSTS)('answers Host %j with 400 and renders nothing', async (host) => {
    ({ app, inputs } = await startWith(kind));
    for (const target of ['/public', '/', '/plain', '/public?q=1']) {
      const answer = await sendRaw(app.port, target, { Host: host });
      expect([target, answer.status]).toEqual([target, 400]);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringContaining('Host header is not a valid host[:port]') });
    }
    expect(inputs()).toEqual([]);
    expect(await app.isr.cache.get('/public')).toBeUndefined();
    // The page every visitor gets is the one of the key.
    const visitor = await sendRaw(app.port, '/public');
    expect([visitor.status, visitor.headers['x-isr-cache']]).toEqual([200, 'MISS']);
    expect(inputs().map((input) => input.url)).toEqual(['http://localhost/public']);
    expect(visitor.body).not.toMatch(/drafts|defaced|search/);
  });

  it.each(['localhost', 'LOCALHOST:3000', '127.0.0.1:8080', '[::1]:4200', 'www.example.com', 'my-site.example.co.uk:443'])(
    'accepts the valid authority %j',
    async (host) => {
      ({ app, inputs } = await startWith(kind));
      const answer = await sendRaw(app.port, '/public', { Host: host });
      expect([answer.status, answer.headers['x-isr-cache']]).toEqual([200, 'MISS']);
    },
  );

  it('renders a MISS for origin + key with no visitor header, cookie or tracking parameter; a foreign Host changes nothing', async () => {
    ({ app, inputs } = await startWith(kind));
    const miss = await sendRaw(app.port, '/public/?utm_source=%22%3E%3Cx%3E&gclid=1', {
      Host: 'evil.example',
      Cookie: 'theme=dark',
      'Accept-Language': 'fr',
      'X-Forwarded-Host': 'evil.example',
    });
    expect([miss.status, miss.headers['x-isr-cache']]).toEqual([200, 'MISS']);
    expect(inputs()).toHaveLength(1);
    const [render] = inputs();
    expect(render.url).toBe('http://localhost/public');
    expect(render.headers['cookie']).toBeUndefined();
    expect(render.headers['accept-language']).toBeUndefined();
    expect(render.headers['host']).toBeUndefined();
    expect(miss.body).not.toContain('<x>');
    expect(miss.body).not.toContain('evil.example');
    const hit = await sendRaw(app.port, '/public');
    expect([hit.headers['x-isr-cache'], hit.body]).toEqual(['HIT', miss.body]);
  });

  it('never learns an origin from visitors: background renders use the fallback origin', async () => {
    ({ app, inputs } = await startWith(kind));
    await sendRaw(app.port, '/public', { Host: 'visitor.example:8443' });
    const entry = await app.isr.cache.get('/public');
    await app.isr.cache.set({ ...entry!, createdAt: 0 });
    const since = app.events.length;
    expect((await sendRaw(app.port, '/public', { Host: 'other.example' })).headers['x-isr-cache']).toBe('STALE');
    await app.waitForEvent(isRegeneration('/public'), since);
    expect(inputs().map((input) => input.url)).toEqual(['http://localhost/public', 'http://localhost/public']);
  });

  it('keeps the mount path for MISS and background renders (app.use("/shop", …))', async () => {
    ({ app, inputs } = await startWith(kind, {}, { mount: '/shop' }));
    // The fake engines' routes are the app's own paths; the mount path is in front of them.
    const miss = await sendRaw(app.port, '/shop/public', { Host: 'evil.example' });
    if (kind === 'CommonEngine') {
      expect([miss.status, miss.headers['x-isr-cache']]).toEqual([200, 'MISS']);
      const entry = await app.isr.cache.get('/shop/public');
      await app.isr.cache.set({ ...entry!, createdAt: 0 });
      const since = app.events.length;
      await sendRaw(app.port, '/shop/public');
      await app.waitForEvent(isRegeneration('/shop/public'), since);
      expect(inputs().map((input) => [input.url, input.baseHref])).toEqual([
        ['http://localhost/shop/public', '/shop'],
        ['http://localhost/shop/public', '/shop'],
      ]);
    } else {
      expect(inputs().map((input) => input.url)).toEqual(['http://localhost/shop/public']);
    }
  });

  it('lets plain BYPASS renders use the visitor request, with a valid Host', async () => {
    ({ app, inputs } = await startWith(kind));
    const answer = await sendRaw(app.port, '/public?debug=1', { Host: 'localhost:1234' });
    expect(answer.headers['x-isr-cache']).toBe('BYPASS');
    expect(inputs()[0].url).toBe('http://localhost:1234/public?debug=1');
  });
});

describe('forwarded headers', () => {
  let app: IntegrityApp;
  let engine: TestEngine;

  afterEach(async () => {
    await app?.close();
  });

  async function start(trustProxy?: boolean | string) {
    engine = new TestEngine().route('/public', { revalidate: 60 }).route('/plain', {});
    app = await startApp({ engine, regenerationOrigin: 'https://www.example.com' }, { trustProxy });
  }

  // With trust proxy, a malformed value gets 400 and no render; a valid one
  // is served, and the stored render still uses the configured origin.
  const MALFORMED_FORWARDED = [
    'X-Forwarded-Host: localhost/drafts/preview?',
    'X-Forwarded-Host: ok.example, evil/x?',
    'X-Forwarded-Host: localhost#',
    'X-Forwarded-Proto: http://evil.example/x?',
    'X-Forwarded-Proto: javascript',
    'X-Forwarded-Proto: https, ftp',
    'X-Forwarded-Port: 80/x',
    'X-Forwarded-Port: 70000',
  ];
  const VALID_FORWARDED = [
    'X-Forwarded-Host: www.example.com',
    'X-Forwarded-Host: www.example.com, proxy.internal:8080',
    'X-Forwarded-Proto: HTTPS',
    'X-Forwarded-Proto: https, http',
    'X-Forwarded-Port: 443',
  ];

  it.each([...MALFORMED_FORWARDED.map((line) => [line, false] as const), ...VALID_FORWARDED.map((line) => [line, true] as const)])(
    'with trust proxy: %s (valid: %s)',
    async (line, valid) => {
      const [name, value] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)];
      await start(true);
      for (const target of ['/public', '/plain']) {
        const answer = await sendRaw(app.port, target, { [name]: value });
        if (valid) {
          expect(answer.status).toBe(200);
        } else {
          expect([target, answer.status, JSON.parse(answer.body).error]).toEqual([target, 400, expect.stringContaining(name)]);
        }
      }
      expect(engine.requests.map((r) => r.url).filter((url) => url.endsWith('/public'))).toEqual(
        valid ? ['https://www.example.com/public'] : [],
      );
      expect(engine.renders()).toBe(valid ? engine.renders('/public') + engine.renders('/plain') : 0);
    },
  );

  it('without trust proxy X-Forwarded-* does not count: no 400, and it never reaches a stored render', async () => {
    await start();
    const answer = await sendRaw(app.port, '/public', { 'X-Forwarded-Host': 'evil/x?', 'X-Forwarded-Proto': 'http://evil/' });
    expect([answer.status, answer.headers['x-isr-cache']]).toEqual([200, 'MISS']);
    expect(engine.requests[0].url).toBe('https://www.example.com/public');
  });

  it.each(['host="localhost/drafts?"', 'for=1.2.3.4;host=evil/x', 'proto=ftp', 'host', 'for=1.2.3.4, host="a b"'])(
    'answers Forwarded: %s with 400 (trusted or not)',
    async (value) => {
      await start();
      const answer = await sendRaw(app.port, '/public', { Forwarded: value });
      expect(answer.status).toBe(400);
      expect(engine.renders()).toBe(0);
    },
  );

  it('accepts a well-formed Forwarded header', async () => {
    await start(true);
    const answer = await sendRaw(app.port, '/public', {
      Forwarded: 'for=192.0.2.60;proto=https;host="www.example.com:443", for="[2001:db8::17]:4711"',
    });
    expect(answer.status).toBe(200);
  });
});

describe('render origin from configuration only', () => {
  const savedHosts = process.env['NG_ALLOWED_HOSTS'];
  let app: IntegrityApp | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
    if (savedHosts === undefined) {
      delete process.env['NG_ALLOWED_HOSTS'];
    } else {
      process.env['NG_ALLOWED_HOSTS'] = savedHosts;
    }
  });

  it.each<[string, { allowedHosts?: string[]; regenerationOrigin?: string; env?: string }, string]>([
    ['nothing configured', {}, 'http://localhost/public'],
    ['NG_ALLOWED_HOSTS', { env: '*.example.com, www.example.com' }, 'http://www.example.com/public'],
    [
      'allowedHosts (over NG_ALLOWED_HOSTS)',
      { allowedHosts: ['shop.example.com'], env: 'www.example.com' },
      'http://shop.example.com/public',
    ],
    ['allowedHosts with a scheme', { allowedHosts: ['https://shop.example.com'] }, 'https://shop.example.com/public'],
    [
      'regenerationOrigin first',
      { allowedHosts: ['shop.example.com'], regenerationOrigin: 'https://www.example.com/' },
      'https://www.example.com/public',
    ],
  ])('%s', async (_name, { env, ...options }, expected) => {
    if (env === undefined) {
      delete process.env['NG_ALLOWED_HOSTS'];
    } else {
      process.env['NG_ALLOWED_HOSTS'] = env;
    }
    const engine = new TestEngine().route('/public', { revalidate: 60 });
    app = await startApp({ engine, ...options });
    await sendRaw(app.port, '/public', { Host: 'visitor.example' });
    expect(engine.requests.map((r) => r.url)).toEqual([expected]);
  });

  it.each([
    'https://www.example.com/shop',
    'ftp://www.example.com',
    'www.example.com',
    'https://user:pw@www.example.com',
    'https://x.com?a=1',
  ])('refuses regenerationOrigin %j at construction', (regenerationOrigin) => {
    expect(() => new ISRHandler({ engine: new TestEngine(), logger: false, regenerationOrigin })).toThrow(/must be an http\(s\) origin/);
  });
});
