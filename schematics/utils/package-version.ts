import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NG_ISR_PACKAGE } from '../../common/constants';

/**
 * The version range ng add writes into the app's package.json: `^<version>` of this very package,
 * read from its package.json (found upwards from this file, so it works from the sources and from dist/).
 */
export function ngIsrVersionRange(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === NG_ISR_PACKAGE && manifest.version) return `^${manifest.version}`;
    } catch {
      // No package.json here; keep walking up.
    }
    if (dirname(dir) === dir) throw new Error(`Cannot find the ${NG_ISR_PACKAGE} package.json above ${__dirname}.`);
  }
}
