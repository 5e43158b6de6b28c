/**
 * ng-isr runtime: Incremental Static Regeneration for Angular SSR servers.
 * Imported by the app's `server.ts` (ISRHandler, cache handlers) and server config (provideISR).
 * Code that runs outside an Angular build (scripts, workers, plain Node tests) imports
 * `ng-isr/server`, which is the same minus `provideISR()` and loads no Angular package.
 */
export * from './server.js';
export { provideISR } from './angular/provide-isr.js';
