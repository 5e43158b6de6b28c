import { describeMigratedApp } from './harness/migrated-app-suite';

// An Angular 17 CommonEngine app set up from the ngx-isr README's snippet (the seed this project
// started from: global express.json(), FileSystemCacheHandler, APP_BASE_HREF providers; fixture
// test/fixtures/server-ts/ngx-isr-seed.server.ts), with ngx-isr 0.6 (its latest release) installed, then `ng add ng-isr`.
describeMigratedApp('an ngx-isr app (Angular 17, CommonEngine, filesystem cache) after ng add ng-isr', {
  key: 'v17',
  setup: { packageName: 'ngx-isr', fixture: 'ngx-isr-seed' },
  version: '^0.6.0',
  tokenEnv: 'REVALIDATE_SECRET_TOKEN',
});
