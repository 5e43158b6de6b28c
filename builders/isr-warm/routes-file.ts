import { parseListFile } from '../utils/list-file';

/** The entries of a route list, split into concrete paths and routes that need parameters. */
export interface RouteList {
  /** Concrete paths, each starting with `/`. */
  paths: string[];
  /** Routes with `:param` segments or wildcards (`*`, `**`): they name no single page. */
  parameterised: string[];
}

/** A route path with a parameter or a wildcard segment. */
export function isParameterised(route: string): boolean {
  return route.split(/[/?#]/).some((segment) => segment.startsWith(':') || segment.includes('*'));
}

/**
 * Reads a route list. JSON when it parses as JSON: an array of paths, or an object whose
 * `routes` is an array of paths or an object keyed by path (Angular's `prerendered-routes.json`).
 * Otherwise text: one route per line, `#` comments. Angular route paths come without a leading
 * `/` (`blog/hello`, `''` for the root): one is added.
 * @returns the routes, or a short description of what is wrong with the file.
 */
export function parseRoutesFile(text: string): RouteList | { malformed: string } {
  let routes: string[];
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (error) {
      return { malformed: `not valid JSON (${(error as Error).message})` };
    }
    const list = Array.isArray(json) ? json : (json as { routes?: unknown } | null)?.routes;
    if (Array.isArray(list)) {
      if (!list.every((entry) => typeof entry === 'string')) return { malformed: 'the list holds entries that are not strings' };
      routes = list as string[];
    } else if (typeof list === 'object' && list !== null) {
      routes = Object.keys(list);
    } else {
      return { malformed: 'expected an array of paths or an object with "routes"' };
    }
  } else {
    routes = parseListFile(text);
  }
  const result: RouteList = { paths: [], parameterised: [] };
  for (const raw of routes) {
    const route = raw.trim().startsWith('/') ? raw.trim() : `/${raw.trim()}`;
    (isParameterised(route) ? result.parameterised : result.paths).push(route);
  }
  return result;
}
