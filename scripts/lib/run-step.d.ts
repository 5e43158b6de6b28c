import type { ChildProcess } from 'node:child_process';

export interface RunStepOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Ends the command's whole process group after this long (default 10 min). */
  timeoutMs?: number;
  /** Resolve with the exit code instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
  onOutput?: (text: string) => void;
}

export interface StepResult {
  code: number;
  /** stdout and stderr, interleaved as they arrived. */
  output: string;
}

export class StepError extends Error {
  readonly step: string;
  readonly output: string;
}

export function runStep(step: string, command: string, args: string[], options?: RunStepOptions): Promise<StepResult>;
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void;
