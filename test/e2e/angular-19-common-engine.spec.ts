import { describeIsrApp } from './harness/isr-app-suite';

// Angular 19 without server routing: CommonEngine, Express 4; also the filesystem and Redis tiers
// with two instances and a redeploy (the tier checks run on one app per engine).
describeIsrApp('v19', 'Angular 19 app (CommonEngine)', { tiers: true });
