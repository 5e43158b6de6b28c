import type { ChildProcess } from 'node:child_process';

export interface AppServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends the server's process group (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

export function freePort(): Promise<number>;
export function startServer(
  entry: string,
  options: { env: NodeJS.ProcessEnv; nodeBin?: string; port?: number; startTimeoutMs?: number; stdio?: 'pipe' | 'inherit' },
): Promise<AppServer>;
