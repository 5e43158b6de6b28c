import { isPlatformServer } from '@angular/common';
import * as http from '@angular/common/http';
import * as core from '@angular/core';
import { InjectionToken, PLATFORM_ID, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { NavigationEnd, Router } from '@angular/router';
import { tap } from 'rxjs';
import { ISRRenderContext, isRenderContext, type ISRRenderReport } from './isr-render-context.js';
import { reportRoute } from './route-report.js';

/*
 * Compatibility: this file must bundle into Angular 17 to 22 apps. Symbols that some of those
 * releases lack (REQUEST_CONTEXT before 19, provideEnvironmentInitializer before 19, the private
 * root interceptor token) are looked up on the namespace at run time, never imported by name,
 * so that no release fails the build over a missing export.
 */

/** Reads an export that may not exist in the installed Angular release. */
function optionalExport<T>(namespace: object, name: string): T | undefined {
  return (namespace as Record<string, T | undefined>)[name];
}

/** The report object of the current render, or `null` outside an ISRHandler render. */
const ISR_REPORT = new InjectionToken<ISRRenderReport | null>('ng-isr render report', {
  providedIn: 'root',
  factory: findReport,
});

function findReport(): ISRRenderReport | null {
  if (!isPlatformServer(inject(PLATFORM_ID))) {
    return null;
  }
  // CommonEngine: ISRHandler provides the context under the ISRRenderContext class token.
  const provided = inject(ISRRenderContext as core.ProviderToken<ISRRenderContext>, { optional: true });
  if (isRenderContext(provided)) {
    return provided;
  }
  // AngularNodeAppEngine: the second argument of handle(), exposed as REQUEST_CONTEXT (v19+).
  const requestContextToken = optionalExport<core.InjectionToken<unknown>>(core, 'REQUEST_CONTEXT');
  const requestContext = requestContextToken ? inject(requestContextToken, { optional: true }) : null;
  return isRenderContext(requestContext) ? requestContext : null;
}

/** Runs once per server render (the app's environment injector is created per request). */
function initialize(): void {
  const report = inject(ISR_REPORT);
  const router = inject(Router, { optional: true });
  if (!report || !router) {
    return;
  }
  report.httpErrors ??= 0;
  router.events.subscribe((event) => {
    if (event instanceof NavigationEnd) {
      reportRoute(report, router.routerState.snapshot.root);
    }
  });
}

/** Counts failed HttpClient requests of this render (such pages are served, not stored). */
function countErrors(observable: unknown, report: ISRRenderReport | null): unknown {
  if (!report || typeof (observable as { pipe?: unknown }).pipe !== 'function') {
    return observable;
  }
  return (observable as { pipe: (operator: unknown) => unknown }).pipe(
    tap({ error: () => (report.httpErrors = (report.httpErrors ?? 0) + 1) }),
  );
}

type InterceptorNext = (request: unknown) => unknown;

function httpErrorProviders(): core.Provider[] {
  // A functional interceptor on the token provideHttpClient()/HttpClientModule always run,
  // whatever interceptor style the app uses; the DI token (needs withInterceptorsFromDi) otherwise.
  const rootInterceptors = optionalExport<core.InjectionToken<unknown>>(http, 'ɵHTTP_ROOT_INTERCEPTOR_FNS');
  if (rootInterceptors) {
    return [
      {
        provide: rootInterceptors,
        multi: true,
        useValue: (request: unknown, next: InterceptorNext) => countErrors(next(request), inject(ISR_REPORT)),
      },
    ];
  }
  return [
    {
      provide: http.HTTP_INTERCEPTORS,
      multi: true,
      useFactory: () => {
        const report = inject(ISR_REPORT);
        return {
          intercept: (request: unknown, next: { handle: InterceptorNext }) => countErrors(next.handle(request), report),
        };
      },
    },
  ];
}

function initializerProviders(): Array<core.Provider | EnvironmentProviders> {
  const provideInitializer = optionalExport<(fn: () => void) => EnvironmentProviders>(core, 'provideEnvironmentInitializer');
  if (provideInitializer) {
    return [provideInitializer(initialize)];
  }
  const token = optionalExport<core.InjectionToken<readonly (() => void)[]>>(core, 'ENVIRONMENT_INITIALIZER');
  return token ? [{ provide: token, multi: true, useValue: initialize }] : [];
}

/**
 * Connects the app to ng-isr's `ISRHandler`: after each server-side navigation it reports the
 * deepest activated route's `data.revalidate` (inherited from parents when the child has none)
 * and `data.isrTags`, and counts failed HttpClient requests, through the per-request context
 * (never through the HTML). Add it to the server config's providers; it does nothing in the
 * browser or outside an ISRHandler render.
 *
 * ```ts
 * const serverConfig: ApplicationConfig = { providers: [provideServerRendering(), provideISR()] };
 * ```
 */
export function provideISR(): EnvironmentProviders {
  return makeEnvironmentProviders([...initializerProviders(), ...httpErrorProviders()]);
}
