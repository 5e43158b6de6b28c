import { describeMigratedApp } from './harness/migrated-app-suite';

// An Angular 17 CommonEngine app set up as the @rx-angular/isr README shows (server.ts fixture
// test/fixtures/server-ts/rx-isr-common-engine.server.ts, provideISR() + isrHttpInterceptors in the
// server config), with @rx-angular/isr 17 (its release for Angular 17) installed, then `ng add ng-isr`.
describeMigratedApp('an @rx-angular/isr app (Angular 17, CommonEngine) after ng add ng-isr', {
  key: 'v17',
  setup: { packageName: '@rx-angular/isr', fixture: 'rx-isr-common-engine' },
  version: '^17.1.0',
  tokenEnv: 'ISR_INVALIDATE_TOKEN',
});
