import { describeIsrApp } from './harness/isr-app-suite';

// Angular 21 (AngularNodeAppEngine, Express 5) on the machine's Node; also the filesystem and Redis
// tiers with two instances and a redeploy (the tier checks run on one app per engine).
describeIsrApp('v21', 'Angular 21 app (AngularNodeAppEngine)', { tiers: true });
