import { describeIsrApp } from './harness/isr-app-suite';

// Angular 19 without server routing: CommonEngine, Express 4.
describeIsrApp('v19', 'Angular 19 app (CommonEngine)');
