export interface AngularAppSpec {
  /** Project name passed to `ng new`. */
  name: string;
  /** Angular CLI version that generates the app. */
  cli: string;
  /** Pinned version of the framework packages (`@angular/core`, ...). */
  framework: string;
  /** Pinned version of `@angular/cli`, `@angular/ssr`, `@angular/build`, `@angular-devkit/build-angular`. */
  tooling: string;
  /** Lowest Node major the app's commands run on. */
  nodeMajor: number;
  engine: 'app-engine' | 'common-engine';
  newArgs: string[];
}

export const APPS: { v21: AngularAppSpec; v22: AngularAppSpec; v19: AngularAppSpec };
export function appForCli(cli: string): AngularAppSpec;
export function ensurePristineApp(app: AngularAppSpec, log?: (line: string) => void): Promise<string>;
export function copyApp(pristineDir: string, dest: string): string;
export function pinAngularVersions<T extends object>(packageJson: T, app: AngularAppSpec): T;
