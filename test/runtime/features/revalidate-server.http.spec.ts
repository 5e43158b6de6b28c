import { renderNumber, TestEngine } from '../support/test-engine.js';
import { postInvalidate } from '../support/invalidate-client.js';
import { startServer, type TestServer } from '../support/test-server.js';

describe('isr.revalidatePath / isr.revalidateTag from server code', () => {
  let server: TestServer;
  let engine: TestEngine;

  afterEach(async () => {
    await server?.close();
  });

  async function start(token?: string) {
    engine = new TestEngine()
      .route('/blog/a', { revalidate: 60, tags: ['posts'] })
      .route('/blog/b', { revalidate: 60, tags: ['posts'] })
      .route('/about', { revalidate: 60 });
    server = await startServer({ engine, invalidateSecretToken: token });
    for (const path of ['/blog/a', '/blog/b', '/about']) await fetch(server.base + path);
  }

  async function served(path: string): Promise<[string | null, number]> {
    const response = await fetch(server.base + path);
    return [response.headers.get('x-isr-cache'), renderNumber(await response.text())];
  }

  it('revalidatePath regenerates like the endpoint and answers the same result, without any token configured', async () => {
    await start();
    expect(await server.isr.revalidatePath('/blog/a?utm_source=mail')).toEqual({
      invalidated: ['/blog/a?utm_source=mail'],
      notInCache: [],
      failed: {},
      removed: [],
      stale: [],
    });
    expect(await served('/blog/a')).toEqual(['HIT', 2]);
    expect(await server.isr.revalidatePath(['/about', '/never'])).toMatchObject({ invalidated: ['/about'], notInCache: ['/never'] });
    engine.route('/about', { status: 404 });
    expect((await server.isr.revalidatePath('/about')).removed).toEqual(['/about']);
    expect(server.logger.at('info')).toContain('revalidatePath: 0 regenerated, 1 removed, 0 marked stale, 0 not in cache, 0 failed');
  });

  it('revalidateTag answers what POST /api/invalidate with the same tags answers', async () => {
    await start('secret');
    const fromCode = await server.isr.revalidateTag('posts');
    const fromEndpoint = await postInvalidate(server.base, 'secret', { tags: ['posts'] });
    expect(fromEndpoint.status).toBe(200);
    expect(fromCode.invalidated.sort()).toEqual(['/blog/a', '/blog/b']);
    expect({ ...fromCode, invalidated: fromCode.invalidated.sort() }).toEqual({
      ...fromEndpoint.json,
      invalidated: (fromEndpoint.json['invalidated'] as string[]).sort(),
    });
    expect(await served('/blog/b')).toEqual(['HIT', 3]);
    expect(await server.isr.revalidateTag(['nothing-tagged'])).toEqual({
      invalidated: [],
      notInCache: [],
      failed: {},
      removed: [],
      stale: [],
    });
  });

  it('throws a clear TypeError for input the endpoint would refuse', async () => {
    await start();
    await expect(server.isr.revalidatePath('blog/a')).rejects.toThrow(
      new TypeError('revalidatePath(): "blog/a" is not a path (paths start with "/")'),
    );
    await expect(server.isr.revalidatePath('https://evil.example/blog/a')).rejects.toThrow(/points to another host/);
    await expect(server.isr.revalidatePath('/a/../etc')).rejects.toThrow(/is not a plain path/);
    await expect(server.isr.revalidatePath([])).rejects.toThrow('revalidatePath() needs a path or a non-empty array of paths.');
    await expect(server.isr.revalidatePath([42 as unknown as string])).rejects.toThrow(
      'revalidatePath(): the paths must contain strings only.',
    );
    await expect(server.isr.revalidateTag('')).rejects.toThrow(/revalidateTag\(\): the tags must contain non-empty strings/);
    await expect(server.isr.revalidateTag(undefined as unknown as string)).rejects.toThrow(
      'revalidateTag() needs a tag or a non-empty array of tags.',
    );
    expect(engine.renders()).toBe(3);
  });
});
