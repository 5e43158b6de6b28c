import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { OptionsError } from './options-error';

/**
 * Reads the entries of a URL list file: one path per line; surrounding blanks, empty lines and
 * lines starting with `#` are ignored. Windows line endings are accepted.
 */
export function parseUrlsFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Loads `file` (relative paths resolve against the workspace root) and returns its entries.
 * @throws OptionsError when the file cannot be read.
 */
export async function readUrlsFile(file: string, workspaceRoot: string): Promise<string[]> {
  const fullPath = isAbsolute(file) ? file : resolve(workspaceRoot, file);
  let text: string;
  try {
    text = await readFile(fullPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new OptionsError(`Cannot read --urls-file ${fullPath}: ${why}.`);
  }
  return parseUrlsFile(text);
}
