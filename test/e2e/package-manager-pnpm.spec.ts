import { describePackageManagerApp } from './harness/package-manager-suite';

// ng add ng-isr from the packed tarball in a workspace installed with pnpm (isolated layout); build; serve.
describePackageManagerApp('pnpm');
