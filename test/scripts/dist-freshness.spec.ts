// test/support/dist-freshness.cjs (jest's globalSetup): a stale or missing build stops the run.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freshness = require('../support/dist-freshness.cjs') as {
  staleOutputs: (root: string, projects?: string[]) => string[];
};

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dist-freshness-'));
  mkdirSync(join(root, 'src/utils'), { recursive: true });
  writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { strict: true } }));
  writeFileSync(
    join(root, 'tsconfig.build.json'),
    JSON.stringify({
      extends: './tsconfig.base.json',
      compilerOptions: { outDir: 'dist', rootDir: 'src', declaration: true },
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.spec.ts'],
    }),
  );
  writeFileSync(join(root, 'src/index.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'src/utils/b.ts'), 'export const b = 2;\n');
  writeFileSync(join(root, 'src/index.spec.ts'), 'test("x", () => undefined);\n');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function age(path: string, secondsFromNow: number): void {
  const time = new Date(Date.now() + secondsFromNow * 1000);
  utimesSync(join(root, path), time, time);
}

/** Writes every output of the build, newer than every input. */
function build(): void {
  mkdirSync(join(root, 'dist/utils'), { recursive: true });
  for (const output of ['dist/index.js', 'dist/index.d.ts', 'dist/utils/b.js', 'dist/utils/b.d.ts']) {
    writeFileSync(join(root, output), '');
    age(output, 10);
  }
}

const stale = () => freshness.staleOutputs(root, ['tsconfig.build.json']);

describe('dist freshness check', () => {
  it('lists every missing output (spec files excluded, as the build excludes them)', () => {
    expect(stale().sort()).toEqual([
      'dist/index.d.ts is missing',
      'dist/index.js is missing',
      'dist/utils/b.d.ts is missing',
      'dist/utils/b.js is missing',
    ]);
  });

  it('passes when every output is newer than its source', () => {
    build();
    expect(stale()).toEqual([]);
  });

  it('names an output older than its edited source', () => {
    build();
    age('src/utils/b.ts', 20);
    expect(stale()).toEqual(['dist/utils/b.js is older than src/utils/b.ts', 'dist/utils/b.d.ts is older than src/utils/b.ts']);
  });

  it('treats an edited tsconfig (or the one it extends) as a change to every source', () => {
    build();
    age('tsconfig.base.json', 20);
    expect(stale()).toHaveLength(4);
  });
});
