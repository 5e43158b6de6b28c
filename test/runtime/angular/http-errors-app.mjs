// Child process of provide-isr-http-errors.spec.ts: renders a real Angular app (JIT, zoneless) on
// the server with provideISR() from dist/, whose page makes one HttpClient call to the given URL,
// and prints the render report (revalidate, httpErrors) as JSON. Angular is ESM-only, so it runs
// here rather than inside jest.
//   node http-errors-app.mjs <dist/runtime folder> <api url>
import '@angular/compiler';
import { HttpClient, provideHttpClient, withFetch } from '@angular/common/http';
import { Component, inject, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideServerRendering, renderApplication } from '@angular/platform-server';
import { RouterOutlet, provideRouter } from '@angular/router';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [runtimeDir, apiUrl] = process.argv.slice(2);
const { provideISR } = await import(pathToFileURL(join(runtimeDir, 'angular/provide-isr.js')).href);
const { ISRRenderContext, createRenderContext } = await import(pathToFileURL(join(runtimeDir, 'angular/isr-render-context.js')).href);

class Page {
  http = inject(HttpClient);
  text = signal('loading');
  constructor() {
    this.http.get(apiUrl, { responseType: 'text' }).subscribe({
      next: (value) => this.text.set(value),
      error: () => this.text.set('api failed'),
    });
  }
}
Component({ selector: 'app-page', template: '<p>{{ text() }}</p>' })(Page);

class Root {}
Component({ selector: 'app-root', template: '<router-outlet />', imports: [RouterOutlet] })(Root);

const report = createRenderContext();
const html = await renderApplication(
  (context) =>
    bootstrapApplication(
      Root,
      {
        providers: [
          provideZonelessChangeDetection(),
          provideRouter([{ path: 'page', component: Page, data: { revalidate: 60 } }]),
          provideHttpClient(withFetch()),
          provideServerRendering(),
          provideISR(),
          { provide: ISRRenderContext, useValue: report },
        ],
      },
      context,
    ),
  { document: '<html><body><app-root></app-root></body></html>', url: '/page' },
);
process.stdout.write(JSON.stringify({ revalidate: report.revalidate, httpErrors: report.httpErrors, html }) + '\n');
