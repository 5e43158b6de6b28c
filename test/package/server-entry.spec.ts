import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = join(__dirname, '../..');

/** Every module `entry` reaches through static and dynamic imports of relative or bare specifiers. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) {
      return;
    }
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
      const specifier = match[1];
      if (specifier.startsWith('.')) {
        visit(resolve(dirname(file), specifier));
      } else {
        packages.add(specifier);
      }
    }
  };
  visit(entry);
  return { files, packages };
}

describe('ng-isr/server: the runtime without Angular', () => {
  it('is exported and its module graph statically imports no Angular package', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['./server']).toEqual({ types: './dist/runtime/server.d.ts', default: './dist/runtime/server.js' });
    const { files, packages } = importGraph(join(root, 'dist/runtime/server.js'));
    expect(files.size).toBeGreaterThan(10);
    // The CommonEngine adapter imports @angular/common lazily, only for a mounted app's APP_BASE_HREF.
    const staticAngular = [...files].filter((file) => /^\s*import[^(]*['"]@angular\//m.test(readFileSync(file, 'utf8')));
    expect(staticAngular).toEqual([]);
    expect([...packages].filter((name) => name.startsWith('@angular/') && name !== '@angular/common')).toEqual([]);
  });

  it('loads in plain Node by package name and serves a page, while the full entry needs the Angular compiler', () => {
    const script = `
      const { ISRHandler, MemoryCacheHandler } = await import('ng-isr/server');
      const isr = new ISRHandler({
        engine: { render: async () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from('<p>ok</p>') }) },
        cache: new MemoryCacheHandler(), logger: false, buildId: false,
      });
      let full = 'loaded';
      try { await import('ng-isr'); } catch { full = 'needs Angular'; }
      console.log(JSON.stringify({ handler: typeof isr.handle, full}));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop() as string);
    expect(result.handler).toBe('function');
    // `ng-isr` (with provideISR) pulls in @angular/core, which refuses JIT use without the compiler.
    expect(result.full).toBe('needs Angular');
  });
});
