import { describeIsrApp } from './harness/isr-app-suite';

// Angular 17 as its CLI generates it: CommonEngine, Express 4, server.ts at the workspace root,
// "prerender": true in angular.json.
describeIsrApp('v17', 'Angular 17 app (CommonEngine, Express 4)');
