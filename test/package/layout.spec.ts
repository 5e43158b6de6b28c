import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('package layout', () => {
  it('points main/exports at the built ESM runtime', () => {
    const entry = pkg.exports['.'];
    expect(entry.default).toBe('./dist/runtime/index.js');
    expect(existsSync(join(root, entry.default))).toBe(true);
    expect(existsSync(join(root, entry.types))).toBe(true);
    const marker = JSON.parse(readFileSync(join(root, 'dist/runtime/package.json'), 'utf8'));
    expect(marker.type).toBe('module');
  });

  it('registers the schematics collection and builders that exist on disk', () => {
    for (const [field, listKey] of [
      ['schematics', 'schematics'],
      ['builders', 'builders'],
    ] as const) {
      const manifest = JSON.parse(readFileSync(join(root, pkg[field]), 'utf8'));
      for (const [name, def] of Object.entries<Record<string, string>>(manifest[listKey])) {
        const factory = (def['factory'] ?? def['implementation']).split('#')[0];
        expect({ name, built: existsSync(join(root, factory + '.js')) }).toEqual({ name, built: true });
        expect({ name, schema: existsSync(join(root, def['schema'])) }).toEqual({ name, schema: true });
      }
    }
  });
});

describe('shared constants', () => {
  it('ship in dist/common, inside the published "files", for both builders and schematics', () => {
    expect(pkg.files).toContain('dist');
    const constants = require(join(root, 'dist/common/constants.js'));
    expect(constants.NG_ISR_PACKAGE).toBe(pkg.name);
    const options = readFileSync(join(root, 'dist/builders/isr-invalidate/options.js'), 'utf8');
    expect(options).toContain('../../common/constants');
  });
});

describe('npm pack', () => {
  it('packs the built runtime, schematics, builders and common output (prepack builds dist/)', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    // --ignore-scripts: dist/ is fresh (jest's global setup checks it); the list is what matters here.
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(output) as { files: { path: string }[] }[])[0]!.files.map((file) => file.path);
    for (const expected of [
      'dist/runtime/index.js',
      'dist/runtime/index.d.ts',
      'dist/runtime/package.json',
      'dist/schematics/ng-add/index.js',
      'dist/schematics/isr-route/index.js',
      'dist/builders/isr-invalidate/index.js',
      'dist/common/constants.js',
      'collection.json',
      'builders.json',
      'schematics/ng-add/schema.json',
      'README.md',
    ]) {
      expect({ expected, packed: files.includes(expected) }).toEqual({ expected, packed: true });
    }
    expect(files.some((file) => file.startsWith('test/') || file.startsWith('runtime/'))).toBe(false);
  });
});
