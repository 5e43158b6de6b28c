import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ts from 'typescript';

/** The repository's `runtime/` folder. */
export const RUNTIME_DIR = resolve(__dirname, '../../../../runtime');

/**
 * Transpiles `runtime/<folder>/*.ts` to CommonJS `.js` files in `outDir`, so that plain
 * `node` child processes run the current sources (no `npm run build` needed). The `.js`
 * specifiers the runtime uses resolve to the emitted files; bare packages (`lru-cache`)
 * resolve through `NODE_PATH` pointing at the repository's node_modules.
 */
export async function transpileRuntimeFolder(folder: string, outDir: string): Promise<string> {
  const source = join(RUNTIME_DIR, folder);
  const target = join(outDir, folder);
  await mkdir(target, { recursive: true });
  for (const name of await readdir(source)) {
    if (!name.endsWith('.ts') || name.endsWith('.d.ts')) continue;
    const { outputText } = ts.transpileModule(await readFile(join(source, name), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: name,
    });
    await writeFile(join(target, name.replace(/\.ts$/, '.js')), outputText);
  }
  return target;
}

/** `NODE_PATH` for such children: the repository's node_modules. */
export const REPO_NODE_MODULES = resolve(__dirname, '../../../../node_modules');
