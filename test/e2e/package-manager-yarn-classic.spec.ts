import { describePackageManagerApp } from './harness/package-manager-suite';

// ng add ng-isr from the packed tarball in a workspace installed with Yarn 1 (classic node_modules); build; serve.
describePackageManagerApp('yarn-classic');
