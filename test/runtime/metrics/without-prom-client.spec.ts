import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ISRHandler } from '../../../runtime/isr-handler.js';
import { TestEngine } from '../support/test-engine.js';

// An app that did not install the optional peer dependency.
jest.mock('prom-client', () => {
  throw new Error("Cannot find module 'prom-client'");
});

describe('metrics without prom-client installed', () => {
  it('answers the metrics route with 500 and the install hint; pages and snapshot() keep working', async () => {
    const isr = new ISRHandler({ engine: new TestEngine().route('/a', { revalidate: 60 }), logger: false });
    const app = express();
    app.get('/metrics', isr.metricsHandler);
    app.use(isr.handle);
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/a`)).headers.get('x-isr-cache')).toBe('MISS');
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(500);
      expect(await metrics.text()).toBe(
        "metrics unavailable: Prometheus metrics need the 'prom-client' package: npm install prom-client\n",
      );
      await expect(isr.metrics.registerPrometheus()).rejects.toThrow('npm install prom-client');
      expect(isr.metrics.snapshot().answers.MISS).toBe(1);
    } finally {
      await isr.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
