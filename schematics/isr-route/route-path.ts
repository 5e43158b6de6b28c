import { SchematicsException } from '@angular-devkit/schematics';

const LITERAL_SEGMENT = /^[A-Za-z0-9._~@!$&()+,;=%-]+$/;
const PARAM_SEGMENT = /^:[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Normalises the `path` option to an Angular route path: a leading and a trailing `/` are dropped
 * (users type URLs; the router rejects a leading slash), so `/` is the home page (`''`).
 * Throws for what cannot be an ISR page route: `**` (wildcard), `.`/`..` segments, empty segments,
 * whitespace, quotes and other characters that do not belong in a URL path.
 */
export function normalizeRoutePath(input: string | undefined): string {
  if (typeof input !== 'string') {
    throw new SchematicsException(`Invalid route path: ${JSON.stringify(input)}. Pass it as the first argument, e.g. "blog/:slug".`);
  }
  if (/\s/.test(input)) {
    throw new SchematicsException(`Invalid route path "${input}": it must not contain spaces.`);
  }
  const path = input.replace(/^\//, '').replace(/\/$/, '');
  if (path === '') {
    if (input === '/') {
      return '';
    }
    throw new SchematicsException(`Invalid route path ${JSON.stringify(input)}: it is empty. Use "/" for the home page.`);
  }
  for (const segment of path.split('/')) {
    if (segment.includes('*')) {
      throw new SchematicsException(
        `Invalid route path "${input}": wildcards ("*", "**") cannot be ISR pages; name the page's path instead.`,
      );
    }
    if (segment === '.' || segment === '..') {
      throw new SchematicsException(`Invalid route path "${input}": "." and ".." segments are not allowed.`);
    }
    if (segment === '') {
      throw new SchematicsException(`Invalid route path "${input}": it contains an empty segment ("//").`);
    }
    if (!LITERAL_SEGMENT.test(segment) && !PARAM_SEGMENT.test(segment)) {
      throw new SchematicsException(
        `Invalid route path "${input}": segment "${segment}" must be a URL path segment or a parameter such as ":slug".`,
      );
    }
  }

  return path;
}

/**
 * Derives the default component name from a route path: `blog/:slug` -> `blog-slug`,
 * `''` (home) -> `home`. The result is a dasherized name the component schematic accepts.
 */
export function componentNameFromPath(path: string): string {
  const words = path
    .split('/')
    .map((segment) => segment.replace(/^:/, ''))
    .flatMap((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1-$2').split(/[^A-Za-z0-9]+/))
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
  const name = words.join('-');
  if (name === '') {
    return 'home';
  }

  return /^[0-9]/.test(name) ? `page-${name}` : name;
}

/**
 * Validates `revalidate`: a whole number of seconds, `0` meaning "only on demand". schema.json only
 * asks for a number (not even that it is given: non-interactive runs get no prompt), so that every
 * bad value reaches this check and gets a sentence instead of the schema validator's dump.
 */
export function validateRevalidate(revalidate: unknown): number {
  const hint = 'a whole number of seconds >= 0, e.g. --revalidate 60 (0 = cached until invalidated on demand).';
  if (revalidate === undefined || revalidate === null) {
    throw new SchematicsException(`Missing --revalidate: pass ${hint}`);
  }
  if (typeof revalidate !== 'number' || Number.isNaN(revalidate)) {
    // The CLI parses `--revalidate abc` as NaN: the text typed is gone, only "not a number" is known.
    throw new SchematicsException(`Invalid --revalidate (not a number): pass ${hint}`);
  }
  if (!Number.isInteger(revalidate) || revalidate < 0) {
    throw new SchematicsException(`Invalid --revalidate ${revalidate}: pass ${hint}`);
  }

  return revalidate;
}

/**
 * Validates and de-duplicates `tags` (kept in the order given). An empty list means "not given"
 * (the CLI fills unset array options with `[]`), so an existing route's tags are then kept.
 */
export function validateTags(tags: unknown): string[] | undefined {
  if (tags === undefined || (Array.isArray(tags) && tags.length === 0)) {
    return undefined;
  }
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string' || tag.trim() === '')) {
    throw new SchematicsException(`Invalid --tags ${JSON.stringify(tags)}: each tag must be a non-empty string.`);
  }

  return [...new Set((tags as string[]).map((tag) => tag.trim()))];
}

/**
 * The URL shape a route path matches: parameters (`:slug`) and single-segment wildcards (`*`, in
 * server routes) become `*`, so `blog/:id`, `blog/:slug` and `blog/*` are the same page.
 */
export function routeShape(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith(':') || segment === '*' ? '*' : segment))
    .join('/');
}
