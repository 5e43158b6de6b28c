import { describeIsrApp } from './harness/isr-app-suite';

// Angular 21 (AngularNodeAppEngine, Express 5) on the machine's Node.
describeIsrApp('v21', 'Angular 21 app (AngularNodeAppEngine)');
