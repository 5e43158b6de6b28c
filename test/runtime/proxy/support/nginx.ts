import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../support/free-port';

/** A private nginx caching proxy in front of one upstream. */
export interface TestNginx {
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts `nginx` (Debian package `nginx` / `nginx-light`) in the foreground as a single process
 * with its own prefix, config and cache folder under /tmp: `proxy_cache` honouring Cache-Control,
 * `stale-while-revalidate` with background updates and conditional revalidation (ETag), like a
 * CDN in front of the site. `X-Proxy-Cache` reports the proxy's own state.
 */
export async function startNginx(upstreamPort: number): Promise<TestNginx> {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'ng-isr-nginx-'));
  const config = `
daemon off;
master_process off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  proxy_cache_path ${prefix}/cache levels=1:2 keys_zone=isr:1m inactive=1h;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache isr;
      proxy_cache_revalidate on;
      proxy_cache_use_stale updating error timeout;
      proxy_cache_background_update on;
      proxy_cache_lock on;
      add_header X-Proxy-Cache $upstream_cache_status always;
    }
  }
}
`;
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, config);
  let child: ChildProcess;
  try {
    child = await new Promise<ChildProcess>((resolve, reject) => {
      const started = spawn('nginx', ['-p', prefix, '-c', file, '-e', join(prefix, 'stderr.log')], { stdio: 'ignore' });
      started.once('error', (error) => reject(new Error(`cannot start nginx (apt-get install nginx-light): ${error.message}`)));
      started.once('exit', (code) => reject(new Error(`nginx exited with ${code}`)));
      started.once('spawn', () => resolve(started));
    });
    await waitForPort(port);
  } catch (error) {
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fetch(`http://127.0.0.1:${port}/__ping`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error('nginx did not start listening');
}
