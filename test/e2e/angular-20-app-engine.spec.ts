import { describeIsrApp } from './harness/isr-app-suite';

// Angular 20 (AngularNodeAppEngine, Express 5, src/server.ts) on the machine's Node.
describeIsrApp('v20', 'Angular 20 app (AngularNodeAppEngine, Express 5)');
