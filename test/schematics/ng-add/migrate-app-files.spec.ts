// The app files of an @rx-angular/isr / ngx-isr setup other than server.ts: the NgModule and
// browser-config spellings their docs show, checked on their own (the workspace specs cover the
// standalone server config).
import * as ts from 'typescript';
import { migrateAppFile } from '../../../schematics/ng-add/migrate/migrate-config';
import { migrateServerFile } from '../../../schematics/ng-add/migrate/migrate-server';

const migrate = (text: string) => migrateAppFile(ts, '/src/app/app.module.ts', text);

describe('migrating app files from @rx-angular/isr / ngx-isr', () => {
  it('drops NgxIsrModule.forRoot() from an NgModule and its import', () => {
    const before = [
      "import { NgModule } from '@angular/core';",
      "import { NgxIsrModule } from 'ngx-isr';",
      "import { AppComponent } from './app.component';",
      '',
      '@NgModule({',
      '  imports: [BrowserModule, NgxIsrModule.forRoot(), AppRoutingModule],',
      '  bootstrap: [AppComponent],',
      '})',
      'export class AppModule {}',
      '',
    ].join('\n');
    const result = migrate(before);
    expect(typeof result).toBe('object');
    const text = (result as { text: string }).text;
    expect(text).toContain('imports: [BrowserModule, AppRoutingModule],');
    expect(text).not.toContain('ngx-isr');
    expect(migrate(text)).toEqual({ text, messages: [] });
  });

  it("drops a spread isrHttpInterceptors and keeps the app's own interceptors", () => {
    const before = [
      "import { provideHttpClient, withInterceptors } from '@angular/common/http';",
      "import { isrHttpInterceptors } from '@rx-angular/isr/server';",
      '',
      'export const appConfig = {',
      '  providers: [provideHttpClient(withInterceptors([...isrHttpInterceptors, authInterceptor]))],',
      '};',
      '',
    ].join('\n');
    const text = (migrate(before) as { text: string }).text;
    expect(text).toContain('provideHttpClient(withInterceptors([authInterceptor]))');
    expect(text).not.toContain('@rx-angular/isr');
  });

  it('leaves other names of the old package with a warning naming the file and line', () => {
    const before = "import { Routes } from '@angular/router';\nimport { RouteISRConfig } from '@rx-angular/isr/models';\n";
    const result = migrate(before) as { text: string; messages: { level: string; text: string }[] };
    expect(result.text).toBe(before);
    expect(result.messages).toEqual([
      {
        level: 'warn',
        text: expect.stringMatching(
          /^src\/app\/app\.module\.ts:2 still imports RouteISRConfig from @rx-angular\/isr, which ng add removes/,
        ),
      },
    ]);
  });

  it('refuses a server.ts that still renders with res.render (no engine to hand to ng-isr)', () => {
    const server = [
      "import express from 'express';",
      "import { ISRHandler } from 'ngx-isr';",
      'const server = express();',
      "const isr = new ISRHandler({ indexHtml: 'index', invalidateSecretToken: 'x', enableLogging: true });",
      "server.get('*', async (req, res, next) => await isr.serveFromCache(req, res, next), async (req, res, next) => await isr.render(req, res, next));",
    ].join('\n');
    expect(migrateServerFile(ts, '/server.ts', server, { tokenEnv: 'T', invalidatePath: '/api/invalidate' })).toMatch(
      /has neither `commonEngine` nor `angularAppEngine`/,
    );
  });

  it('refuses a server.ts that declares its own CacheHandler subclass (the class would lose its base)', () => {
    const server = [
      "import express from 'express';",
      "import { CacheHandler, ISRHandler } from '@rx-angular/isr/server';",
      'const server = express();',
      'class MyCache extends CacheHandler {}',
    ].join('\n');
    expect(migrateServerFile(ts, '/server.ts', server, { tokenEnv: 'T', invalidatePath: '/api/invalidate' })).toMatch(
      /^it uses CacheHandler from @rx-angular\/isr itself/,
    );
  });
});
