import type { StepResult } from './run-step';

export function packNgIsr(repoRoot: string, destDir: string, options?: { build?: boolean }): Promise<string>;
export function ng(appDir: string, args: string[], env: NodeJS.ProcessEnv, step: string, timeoutMs?: number): Promise<StepResult>;
export function addNgIsr(appDir: string, tarball: string, env: NodeJS.ProcessEnv): Promise<StepResult>;
export function generateIsrRoute(appDir: string, env: NodeJS.ProcessEnv, path: string, revalidate: number): Promise<StepResult>;
export function findPageComponent(appDir: string, path: string): { file: string; className: string; selector: string };
export function decoratePage(appDir: string, path: string, options: { title: string; links?: string[] }): { file: string; className: string };
export function appendRoutes(appDir: string, additions: { imports?: string[]; routes?: string[] }): void;
export function outputDir(appDir: string, project: string): string;
export function buildApp(appDir: string, project: string, env: NodeJS.ProcessEnv): Promise<string>;
