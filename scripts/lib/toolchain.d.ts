export function cacheRoot(): string;
export function nodeBinDir(minMajor: number, log?: (line: string) => void): Promise<string>;
export function appEnv(nodeBin: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
