import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { OptionsError } from './options-error';

/**
 * Reads the entries of a list file (URLs, routes): one entry per line; surrounding blanks, empty
 * lines and lines starting with `#` are ignored. Windows line endings are accepted.
 */
export function parseListFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Loads `file` as text (relative paths resolve against the workspace root).
 * @param flag the option that named the file, e.g. `urls-file`, for the message.
 * @throws OptionsError when the file cannot be read.
 */
export async function readOptionFile(file: string, workspaceRoot: string, flag: string): Promise<{ path: string; text: string }> {
  const fullPath = isAbsolute(file) ? file : resolve(workspaceRoot, file);
  try {
    return { path: fullPath, text: await readFile(fullPath, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new OptionsError(`Cannot read --${flag} ${fullPath}: ${why}.`);
  }
}

/**
 * Loads a `--urls-file`-style list (see `parseListFile`).
 * @throws OptionsError when the file cannot be read.
 */
export async function readUrlsFile(file: string, workspaceRoot: string, flag = 'urls-file'): Promise<string[]> {
  return parseListFile((await readOptionFile(file, workspaceRoot, flag)).text);
}
