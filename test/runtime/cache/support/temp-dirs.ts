import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fresh folders under the OS temp folder for one spec file, all removed after its last test.
 * Call at the top level of the spec (it registers an `afterAll`).
 */
export function tempDirs(label: string): () => Promise<string> {
  const created: string[] = [];
  afterAll(async () => {
    await Promise.all(created.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), `ng-isr-${label}-`));
    created.push(dir);
    return dir;
  };
}
