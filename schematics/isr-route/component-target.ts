import { SchematicsException, Tree, strings } from '@angular-devkit/schematics';
import { parseName } from '@schematics/angular/utility/parse-name';
import { dirname, join, relative } from 'node:path/posix';
import { readSourceFile, type TypeScript } from '../utils/ast-search';
import { findComponentClasses } from './component-class';
import type { RouteComponent } from './route-edit';

/** The module specifier that imports `file` from `fromFile` (relative, no `.ts`). */
export function importPathBetween(fromFile: string, file: string): string {
  const path = relative(dirname(fromFile), file.replace(/\.ts$/, ''));

  return path.startsWith('.') ? path : `./${path}`;
}

/**
 * Resolves `--existing-component` (`file[#ClassName]`): the file is looked up relative to the
 * routes file, then the workspace root, then the project's source root, with or without `.ts`;
 * the class is the one named, or the file's only exported `@Component` class.
 */
export function resolveExistingComponent(
  typescript: TypeScript,
  tree: Tree,
  option: string,
  routesFile: string,
  sourceRoot: string,
): RouteComponent & { file: string } {
  const [filePart, className] = option.split('#');
  const bases = [dirname(routesFile), '/', join('/', sourceRoot)];
  const candidates = bases.flatMap((base) => {
    const path = join(base, filePart);

    return path.endsWith('.ts') ? [path] : [`${path}.ts`, path];
  });
  const file = candidates.find((candidate) => candidate.endsWith('.ts') && tree.exists(candidate));
  if (!file) {
    throw new SchematicsException(
      `--existing-component "${option}": no such file (looked for ${[...new Set(candidates.filter((c) => c.endsWith('.ts')))].join(', ')}).`,
    );
  }
  const components = findComponentClasses(typescript, readSourceFile(typescript, tree, file));
  const chosen = className
    ? components.find((component) => component.name === className)
    : components.length === 1
      ? components[0]
      : undefined;
  if (!chosen) {
    const names = components.map((component) => component.name).join(', ') || 'none';
    throw new SchematicsException(
      className
        ? `--existing-component "${option}": ${file} has no exported @Component class "${className}" (found: ${names}).`
        : `--existing-component "${option}": ${file} must declare exactly one exported @Component class (found: ${names}); ` +
            `name it with "${filePart}#ClassName".`,
    );
  }

  return { file, className: chosen.name, isDefault: chosen.isDefault, importPath: importPathBetween(routesFile, file) };
}

/** The folder `@schematics/angular:component` writes a (non-flat) component named `name` into. */
export function generatedComponentFolder(defaultPath: string, name: string): string {
  const parsed = parseName(defaultPath, name);

  return join(parsed.path, strings.dasherize(parsed.name));
}

/**
 * Finds the component the component schematic just generated in `folder`: file names and class
 * suffixes differ between Angular versions (`blog-slug.ts`/`BlogSlug` in 20+,
 * `blog-slug.component.ts`/`BlogSlugComponent` before), so the class is read from the AST.
 */
export function findGeneratedComponent(
  typescript: TypeScript,
  tree: Tree,
  folder: string,
  routesFile: string,
): RouteComponent & { file: string } {
  const dir = tree.getDir(folder);
  for (const name of dir.subfiles) {
    if (!name.endsWith('.ts') || name.endsWith('.spec.ts')) {
      continue;
    }
    const file = join(folder, name);
    const [component] = findComponentClasses(typescript, readSourceFile(typescript, tree, file));
    if (component) {
      return { file, className: component.name, isDefault: component.isDefault, importPath: importPathBetween(routesFile, file) };
    }
  }
  throw new SchematicsException(`The component schematic wrote no @Component class into ${folder}.`);
}
