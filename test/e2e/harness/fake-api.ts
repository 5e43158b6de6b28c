import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback JSON API the e2e app calls during its renders: answers 500 while `failing`. */
export interface FakeApi {
  url: string;
  /** While true, `GET /data` answers 500. */
  failing: boolean;
  /** Requests answered so far (proves the render really called the API). */
  readonly calls: number;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls += 1;
    const failing = api.failing;
    res.writeHead(failing ? 500 : 200, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify(failing ? { error: 'the fake API is failing' } : { message: `answer #${calls} to ${req.url}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const api: FakeApi = {
    url: `http://127.0.0.1:${port}`,
    failing: true,
    get calls() {
      return calls;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return api;
}
