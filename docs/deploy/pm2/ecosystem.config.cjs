// PM2 in cluster mode for an `ng add ng-isr` app: `pm2 start ecosystem.config.cjs --env production`.
// Angular's server.ts starts its listener when `process.env['pm_id']` is set, so PM2 can load
// server.mjs directly. Every instance has its own ISRHandler: share one Redis tier between them
// (REDIS_URL, read by server.ts: see docs/deploy.md) so that a page is rendered once per group.
module.exports = {
  apps: [
    {
      name: 'my-app',
      script: 'dist/my-app/server/server.mjs',
      exec_mode: 'cluster',
      instances: 'max', // one per CPU; or a number
      // SIGINT is PM2's default stop signal; ng-isr's shutdown handler listens for SIGTERM.
      kill_signal: 'SIGTERM',
      // PM2 kills an instance this long after the signal: keep it above SHUTDOWN_TIMEOUT_MS.
      kill_timeout: 30_000,
      // Restart one instance at a time and wait for it to listen (pm2 reload my-app).
      listen_timeout: 10_000,
      max_memory_restart: '1G',
      env_production: {
        NODE_ENV: 'production',
        PORT: '4000',
        SHUTDOWN_TIMEOUT_MS: '25000',
        REDIS_URL: 'redis://127.0.0.1:6379',
        NG_ALLOWED_HOSTS: 'example.com,www.example.com',
        // ISR_INVALIDATE_TOKEN: set it in the environment PM2 starts from, not in this file.
      },
    },
  ],
};
