import { describePackageManagerApp } from './harness/package-manager-suite';

// ng add ng-isr from the packed tarball in a workspace installed with Yarn 4 and nodeLinker: node-modules; build; serve.
describePackageManagerApp('yarn-berry');
