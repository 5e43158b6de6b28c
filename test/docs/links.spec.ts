import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { codeMessages } from './code-messages';
import { dasherize, runtimeOptions, schemaOptions } from './code-options';
import { frontMatter, headingAnchors, markdownLinks, normaliseSpace } from './markdown';

const root = resolve(__dirname, '../..');
const docsDir = join(root, 'docs');
const docFiles = readdirSync(docsDir)
  .filter((name) => name.endsWith('.md'))
  .map((name) => join(docsDir, name));
const markdownFiles = [...docFiles, join(root, 'README.md')];
const read = (file: string): string => readFileSync(file, 'utf8');
const display = (file: string): string => relative(root, file);

/** The page that documents each schematic / builder (by its name in collection.json / builders.json). */
const OPTION_PAGES: Record<string, string> = {
  'ng-add': 'getting-started.md',
  'isr-route': 'isr-route.md',
  'isr-invalidate': 'builder.md',
  'isr-warm': 'warm.md',
};

describe('docs: front matter', () => {
  it.each(docFiles.map((file) => [display(file), file]))('%s has title, description and nav_order', (_name, file) => {
    const fields = frontMatter(read(file));
    expect(fields).toBeDefined();
    expect(fields?.['title']).toMatch(/\S/);
    expect(fields?.['description']).toMatch(/\S/);
    expect(fields?.['nav_order']).toMatch(/^\d+$/);
  });

  it('gives every page its own nav_order', () => {
    const orders = docFiles.map((file) => frontMatter(read(file))?.['nav_order']);
    expect(new Set(orders).size).toBe(orders.length);
  });
});

describe('docs: relative links and anchors resolve', () => {
  const cases = markdownFiles.flatMap((file) =>
    markdownLinks(read(file))
      .filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map(({ target, line }) => [`${display(file)}:${line} -> ${target}`, file, target] as const),
  );

  it('finds links to check', () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases)('%s', (_label, file, target) => {
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const targetFile = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    expect(existsSync(targetFile)).toBe(true);
    if (anchor !== undefined) {
      expect(targetFile.endsWith('.md')).toBe(true);
      expect([...headingAnchors(read(targetFile))]).toContain(anchor);
    }
  });

  it('README links to every docs page', () => {
    const readmeTargets = markdownLinks(read(join(root, 'README.md'))).map(({ target }) => target.split('#', 1)[0]);
    for (const file of docFiles) {
      expect(readmeTargets).toContain(`docs/${relative(docsDir, file)}`);
    }
  });
});

describe('docs: every public option is documented', () => {
  const allDocs = docFiles.map(read).join('\n');

  const schemas = [
    ...Object.entries((JSON.parse(read(join(root, 'collection.json'))) as { schematics: Record<string, { schema?: string }> }).schematics),
    ...Object.entries((JSON.parse(read(join(root, 'builders.json'))) as { builders: Record<string, { schema?: string }> }).builders),
  ].map(([name, entry]) => ({ name, schema: entry.schema }));

  it('knows the page of every schematic and builder', () => {
    for (const { name } of schemas) {
      expect({ name, page: OPTION_PAGES[name] }).toEqual({ name, page: expect.any(String) });
    }
  });

  const schemaCases = schemas.flatMap(({ name, schema }) =>
    schema ? schemaOptions(join(root, schema)).map((option) => [`${name}: ${option}`, name, option] as const) : [],
  );

  it('reads the options from the schema.json files', () => {
    expect(schemaCases.length).toBeGreaterThan(20);
  });

  it.each(schemaCases)('%s is on its page (as `name` or `--flag`)', (_label, name, option) => {
    const page = read(join(docsDir, OPTION_PAGES[name] ?? 'missing.md'));
    const mentioned = page.includes(`\`${option}\``) || page.includes(`\`--${dasherize(option)}\``);
    expect({ option, mentioned }).toEqual({ option, mentioned: true });
  });

  const runtimeCases = runtimeOptions(root).map((option) => [`${option.type}.${option.name}`, option.name] as const);

  it('reads the options types the runtime exports', () => {
    const types = new Set(runtimeOptions(root).map((option) => option.type));
    expect([...types]).toEqual(expect.arrayContaining(['ISRHandlerOptions', 'MemoryCacheHandlerOptions', 'FileSystemCacheHandlerOptions']));
  });

  it.each(runtimeCases)('%s is documented', (_label, name) => {
    expect({ name, mentioned: allDocs.includes(`\`${name}\``) }).toEqual({ name, mentioned: true });
  });
});

describe('docs: every warning and error message is in troubleshooting.md', () => {
  const troubleshooting = normaliseSpace(read(join(docsDir, 'troubleshooting.md')));
  const messages = codeMessages(root, ['schematics', 'builders', 'runtime']);

  it('finds the messages in the code', () => {
    expect(messages.length).toBeGreaterThan(80);
  });

  it.each(messages.map((message) => [`${message.file}:${message.line}`, message.fragments] as const))('%s', (_where, fragments) => {
    const missing = fragments.filter((fragment) => !troubleshooting.includes(normaliseSpace(fragment)));
    expect(missing).toEqual([]);
  });
});

describe('docs: getting started shows what ng add really writes', () => {
  const page = read(join(docsDir, 'getting-started.md'));
  // The schematic's own golden outputs (compared byte for byte by the ng add tests).
  it.each(['v20-v22-app-engine.server.ts', 'v19-common-engine.server.ts'])('contains the golden %s', (golden) => {
    const text = read(join(root, 'test/fixtures/golden', golden)).trimEnd();
    expect(page.includes('```ts\n' + text + '\n```')).toBe(true);
  });
});

describe('docs: code blocks are closed', () => {
  it.each(markdownFiles.map((file) => [display(file), file]))('%s', (_name, file) => {
    const text = read(file);
    const fences = text.split('\n').filter((line) => /^\s*(```|~~~)/.test(line)).length;
    expect(fences % 2).toBe(0);
  });
});
