import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake API received it. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One scripted answer; `hang` never answers (for timeouts). */
export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
}

export interface ApiServer {
  base: string;
  requests: SeenRequest[];
  /** Answers for the next requests, in order; when none is left, `fallback` answers. */
  script(...answers: ScriptedAnswer[]): void;
  fallback: ScriptedAnswer;
  close(): Promise<void>;
}

/**
 * A local stand-in for a CDN's purge API on 127.0.0.1: records every request exactly (method,
 * path, headers, raw body) and answers from a script, so each test checks the request the way
 * the CDN's documentation describes it and plays the CDN's error answers.
 */
export async function startApiServer(fallback: ScriptedAnswer): Promise<ApiServer> {
  const requests: SeenRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  const state = { fallback };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = queue.shift() ?? state.fallback;
      if (answer.hang) {
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    script: (...answers) => queue.push(...answers),
    get fallback() {
      return state.fallback;
    },
    set fallback(answer) {
      state.fallback = answer;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A sleep that records the delays asked for and returns at once (time made explicit). */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/**
 * Jest hooks for a purger spec: a fresh fake API and recording sleep per test, and the secret in
 * `envName` while the test runs. Read `api` and `clock` inside tests (they change per test).
 */
export function purgerApiFixture(
  fallback: ScriptedAnswer,
  envName: string,
  secret: string,
): { api: ApiServer; clock: ReturnType<typeof recordingSleep> } {
  const fixture = {} as { api: ApiServer; clock: ReturnType<typeof recordingSleep> };
  beforeEach(async () => {
    fixture.api = await startApiServer(fallback);
    fixture.clock = recordingSleep();
    process.env[envName] = secret;
  });
  afterEach(async () => {
    delete process.env[envName];
    await fixture.api.close();
  });
  return fixture;
}
