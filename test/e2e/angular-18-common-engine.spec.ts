import { describeIsrApp } from './harness/isr-app-suite';

// Angular 18 as its CLI generates it: CommonEngine, Express 4, server.ts at the workspace root,
// "prerender": true in angular.json.
describeIsrApp('v18', 'Angular 18 app (CommonEngine, Express 4)');
