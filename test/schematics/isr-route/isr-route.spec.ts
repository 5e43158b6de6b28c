import { UnitTestTree } from '@angular-devkit/schematics/testing';
import { APP, createWorkspace, readImports, readRoutes, runIsrRoute, snapshot, typeCheck } from './isr-workspace';
jest.setTimeout(60_000); // each type-check builds a TypeScript program: up to 10 s per test on 2 busy cores

const ROUTES = `${APP}/app.routes.ts`;
const SERVER_ROUTES = `${APP}/app.routes.server.ts`;

/** The one route with `path` (fails when it is missing or duplicated). */
function onlyRoute(tree: UnitTestTree, file: string, path: string, variable?: string) {
  const matches = readRoutes(tree, file, variable).filter((route) => route.path === path);
  expect(matches).toHaveLength(1);

  return matches[0];
}

function serverModes(tree: UnitTestTree): Array<[string | undefined, string]> {
  return readRoutes(tree, SERVER_ROUTES, 'serverRoutes').map((route) => [route.path, route.properties['renderMode']]);
}

async function expectRefusal(tree: UnitTestTree, options: Record<string, unknown>, message: RegExp): Promise<void> {
  const before = snapshot(tree);
  await expect(runIsrRoute(tree, options)).rejects.toThrow(message);
  expect(snapshot(tree)).toEqual(before);
}

describe('the type-check used below', () => {
  it('reports a route pointing at a component that does not exist', async () => {
    const tree = await createWorkspace();
    tree.overwrite(
      ROUTES,
      "import { Routes } from '@angular/router';\n\nexport const routes: Routes = [{ path: 'x', component: Missing }];\n",
    );

    expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual(["/projects/app/src/app/app.routes.ts: Cannot find name 'Missing'."]);
  });
});

describe('ng generate ng-isr:isr-route (standalone app, Angular 21 defaults)', () => {
  let tree: UnitTestTree;
  beforeEach(async () => {
    tree = await createWorkspace({ standalone: true });
  });

  it('adds the route with its new component and data, and a Server entry before the ** server route; it type-checks', async () => {
    const { tree: result } = await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60 });

    const route = onlyRoute(result, ROUTES, 'blog/:slug', 'routes');
    expect(route.properties['component']).toBe('BlogSlug');
    expect(route.data).toEqual({ revalidate: '60' });
    expect(readImports(result, ROUTES)).toContainEqual(['BlogSlug', './blog-slug/blog-slug']);
    expect(result.exists(`${APP}/blog-slug/blog-slug.ts`)).toBe(true);
    expect(serverModes(result)).toEqual([
      ['blog/:slug', 'RenderMode.Server'],
      ['**', 'RenderMode.Prerender'],
    ]);
    expect(result.readContent(ROUTES)).toContain(
      "  {\n    path: 'blog/:slug',\n    component: BlogSlug,\n    data: { revalidate: 60 }\n  }\n];",
    );
    expect(typeCheck(result, [`${APP}/app.config.ts`, SERVER_ROUTES])).toEqual([]);
  });

  it('is idempotent: running it again changes nothing and says so', async () => {
    const { tree: once } = await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60, tags: ['posts'] });
    const before = snapshot(once);
    const { tree: twice, logs } = await runIsrRoute(once, { path: 'blog/:slug', revalidate: 60, tags: ['posts'] });

    expect(snapshot(twice)).toEqual(before);
    expect(logs.join('\n')).toContain(
      "info: Route 'blog/:slug' already exists in projects/app/src/app/app.routes.ts and already has revalidate: 60, isrTags: ['posts']; nothing to change.",
    );
  });

  it('updates an existing route (revalidate replaced, tags kept unless given) instead of duplicating it', async () => {
    await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60, tags: ['posts'] });
    const { logs } = await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 300 });

    expect(onlyRoute(tree, ROUTES, 'blog/:slug', 'routes').data).toEqual({ revalidate: '300', isrTags: "['posts']" });
    expect(logs.join('\n')).toContain(
      "Route 'blog/:slug' already exists in projects/app/src/app/app.routes.ts; updated its data (revalidate: 60 -> 300)",
    );

    await runIsrRoute(tree, { path: '/blog/:slug/', revalidate: 300, tags: ['news', 'feed'] });
    expect(onlyRoute(tree, ROUTES, 'blog/:slug', 'routes').data).toEqual({ revalidate: '300', isrTags: "['news', 'feed']" });
    expect(serverModes(tree).filter(([path]) => path === 'blog/:slug')).toHaveLength(1);
  });

  it('adds data to a hand-written route with the same path, keeping its component', async () => {
    tree.overwrite(
      ROUTES,
      "import { Routes } from '@angular/router';\nimport { App } from './app';\n\nexport const routes: Routes = [\n  { path: 'about', component: App },\n];\n",
    );
    const { logs } = await runIsrRoute(tree, { path: 'about', revalidate: 0, component: 'about-page' });

    const route = onlyRoute(tree, ROUTES, 'about', 'routes');
    expect(route.properties['component']).toBe('App');
    expect(route.data).toEqual({ revalidate: '0' });
    expect(tree.exists(`${APP}/about-page/about-page.ts`)).toBe(false);
    expect(logs.join('\n')).toMatch(/component is kept/);
    expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
  });

  it('treats a route of the same shape with another parameter name as the same page', async () => {
    tree.overwrite(
      ROUTES,
      "import { Routes } from '@angular/router';\nimport { App } from './app';\n\nexport const routes: Routes = [\n  { path: 'blog/:id', component: App, data: { title: 'Post' } },\n];\n",
    );
    tree.overwrite(
      SERVER_ROUTES,
      "import { RenderMode, ServerRoute } from '@angular/ssr';\n\nexport const serverRoutes: ServerRoute[] = [\n  { path: 'blog/*', renderMode: RenderMode.Server },\n  { path: '**', renderMode: RenderMode.Prerender },\n];\n",
    );
    const serverBefore = tree.readContent(SERVER_ROUTES);
    const { logs } = await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60 });

    expect(readRoutes(tree, ROUTES, 'routes').map((route) => [route.path, route.data])).toEqual([
      ['blog/:id', { title: "'Post'", revalidate: '60' }],
    ]);
    expect(tree.readContent(ROUTES)).toContain("{ path: 'blog/:id', component: App, data: { title: 'Post', revalidate: 60 } },");
    expect(tree.readContent(SERVER_ROUTES)).toBe(serverBefore);
    expect(logs.join('\n')).toContain("Route 'blog/:id' (the same page as 'blog/:slug') already exists");
  });

  it('--lazy uses loadComponent; tags become data.isrTags (deduplicated); a leading slash is dropped', async () => {
    await runIsrRoute(tree, { path: '/products/:id', revalidate: 0, lazy: true, tags: ['products', 'catalog', 'products'] });

    const route = onlyRoute(tree, ROUTES, 'products/:id', 'routes');
    expect(route.properties['loadComponent']).toBe("() => import('./products-id/products-id').then(m => m.ProductsId)");
    expect(route.properties['component']).toBeUndefined();
    expect(route.data).toEqual({ revalidate: '0', isrTags: "['products', 'catalog']" });
    expect(readImports(tree, ROUTES).map(([name]) => name)).not.toContain('ProductsId');
    expect(typeCheck(tree, [`${APP}/app.config.ts`, SERVER_ROUTES])).toEqual([]);
  });

  it('"/" is the home page (path \'\') with a component named home', async () => {
    await runIsrRoute(tree, { path: '/', revalidate: 30 });

    expect(onlyRoute(tree, ROUTES, '', 'routes').properties['component']).toBe('Home');
    expect(serverModes(tree)[0]).toEqual(['', 'RenderMode.Server']);
  });

  it('inserts the route before an existing ** wildcard route', async () => {
    tree.overwrite(
      ROUTES,
      "import { Routes } from '@angular/router';\n\nexport const routes: Routes = [\n  { path: '', redirectTo: 'blog', pathMatch: 'full' },\n  { path: '**', redirectTo: '' },\n];\n",
    );
    await runIsrRoute(tree, { path: 'blog', revalidate: 60 });

    expect(readRoutes(tree, ROUTES, 'routes').map((route) => route.path)).toEqual(['', 'blog', '**']);
    expect(tree.readContent(ROUTES)).toContain(
      "  {\n    path: 'blog',\n    component: Blog,\n    data: { revalidate: 60 }\n  },\n  { path: '**', redirectTo: '' },\n];",
    );
    expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
  });

  it('adds next to lazy loadChildren routes without touching them', async () => {
    tree.create(`${APP}/admin/admin.routes.ts`, "import { Routes } from '@angular/router';\n\nexport const adminRoutes: Routes = [];\n");
    const admin = "  {\n    path: 'admin',\n    loadChildren: () => import('./admin/admin.routes').then(m => m.adminRoutes)\n  }";
    tree.overwrite(ROUTES, `import { Routes } from '@angular/router';\n\nexport const routes: Routes = [\n${admin}\n];\n`);
    await runIsrRoute(tree, { path: 'docs/:page', revalidate: 600, lazy: true });

    expect(readRoutes(tree, ROUTES, 'routes').map((route) => route.path)).toEqual(['admin', 'docs/:page']);
    expect(tree.readContent(ROUTES)).toContain(admin + ',\n  {');
    expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
  });

  it('leaves app.routes.server.ts alone when ** already renders on the server', async () => {
    tree.overwrite(SERVER_ROUTES, tree.readContent(SERVER_ROUTES).replace('RenderMode.Prerender', 'RenderMode.Server'));
    const before = tree.readContent(SERVER_ROUTES);
    await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60 });

    expect(tree.readContent(SERVER_ROUTES)).toBe(before);
    onlyRoute(tree, ROUTES, 'blog/:slug', 'routes');
  });

  it('switches an existing prerendered server entry for the path to RenderMode.Server', async () => {
    tree.overwrite(
      SERVER_ROUTES,
      "import { RenderMode, ServerRoute } from '@angular/ssr';\n\nexport const serverRoutes: ServerRoute[] = [\n  { path: 'pricing', renderMode: RenderMode.Prerender },\n  { path: '**', renderMode: RenderMode.Client },\n];\n",
    );
    const { logs } = await runIsrRoute(tree, { path: 'pricing', revalidate: 60 });

    expect(serverModes(tree)).toEqual([
      ['pricing', 'RenderMode.Server'],
      ['**', 'RenderMode.Client'],
    ]);
    expect(logs.join('\n')).toContain('used RenderMode.Prerender; switched it to RenderMode.Server');
    expect(typeCheck(tree, [SERVER_ROUTES])).toEqual([]);
  });

  it('refuses (no change) when the prerendered entry has prerender-only options', async () => {
    tree.overwrite(
      SERVER_ROUTES,
      "import { RenderMode, ServerRoute } from '@angular/ssr';\n\nexport const serverRoutes: ServerRoute[] = [\n  { path: 'post/:id', renderMode: RenderMode.Prerender, getPrerenderParams: async () => [{ id: '1' }] },\n  { path: '**', renderMode: RenderMode.Server },\n];\n",
    );
    await expectRefusal(
      tree,
      { path: 'post/:id', revalidate: 60 },
      /prerender-only options \(getPrerenderParams\)[\s\S]*renderMode: RenderMode.Server/,
    );
  });

  it('works without server routing (no app.routes.server.ts) and --skip-server-route leaves it alone', async () => {
    tree.delete(SERVER_ROUTES);
    const config = `${APP}/app.config.server.ts`;
    tree.overwrite(
      config,
      tree
        .readContent(config)
        .replace("import { serverRoutes } from './app.routes.server';\n", '')
        .replace('provideServerRendering(withRoutes(serverRoutes))', 'provideServerRendering()')
        .replace(', withRoutes', ''),
    );
    const { logs } = await runIsrRoute(tree, { path: 'news', revalidate: 60 });

    onlyRoute(tree, ROUTES, 'news', 'routes');
    expect(tree.exists(SERVER_ROUTES)).toBe(false);
    expect(logs.join('\n')).toMatch(/No app\.routes\.server\.ts/);
    expect(logs.join('\n')).not.toMatch(/prerenders/);
    expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
  });

  it('warns that a discovered, prerendered route bypasses ISR when there is no server routing and prerender is on', async () => {
    tree.delete(SERVER_ROUTES);
    const angularJson = JSON.parse(tree.readContent('/angular.json'));
    angularJson.projects.app.architect.build.options.prerender = true;
    tree.overwrite('/angular.json', JSON.stringify(angularJson, null, 2));
    const { logs } = await runIsrRoute(tree, { path: 'news', revalidate: 60 });

    expect(logs.join('\n')).toMatch(/warn: angular.json prerenders the routes it discovers.*'news'/);
    const { logs: withParam } = await runIsrRoute(tree, { path: 'news/:id', revalidate: 60 });
    expect(withParam.join('\n')).not.toMatch(/prerenders/);
  });

  it('finds the server routes where the server config imports them from, not only at app/app.routes.server.ts', async () => {
    const moved = '/projects/app/src/routing/server-routes.ts';
    tree.create(moved, tree.readContent(SERVER_ROUTES));
    tree.delete(SERVER_ROUTES);
    const config = `${APP}/app.config.server.ts`;
    tree.overwrite(config, tree.readContent(config).replace("'./app.routes.server'", "'../routing/server-routes'"));
    const { logs } = await runIsrRoute(tree, { path: 'news', revalidate: 60 });

    expect(logs.join('\n')).not.toMatch(/no server routing/);
    expect(readRoutes(tree, moved, 'serverRoutes').map((route) => route.path)).toEqual(['news', '**']);
  });

  it('updates a route whose data values are shorthand properties instead of adding a second key', async () => {
    tree.overwrite(
      ROUTES,
      "import { Routes } from '@angular/router';\n\nconst revalidate = 10;\n\nexport const routes: Routes = [{ path: 'news', children: [], data: { revalidate } }];\n",
    );
    await runIsrRoute(tree, { path: 'news', revalidate: 60 });

    expect(tree.readContent(ROUTES)).toContain('data: { revalidate: 60 } }];');
  });

  it('--skip-server-route does not touch app.routes.server.ts', async () => {
    const before = tree.readContent(SERVER_ROUTES);
    await runIsrRoute(tree, { path: 'news', revalidate: 60, skipServerRoute: true });

    expect(tree.readContent(SERVER_ROUTES)).toBe(before);
    onlyRoute(tree, ROUTES, 'news', 'routes');
  });

  it('--component names the generated component', async () => {
    await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60, component: 'pages/article-page' });

    expect(onlyRoute(tree, ROUTES, 'blog/:slug', 'routes').properties['component']).toBe('ArticlePage');
    expect(readImports(tree, ROUTES)).toContainEqual(['ArticlePage', './pages/article-page/article-page']);
    expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
  });

  describe('--existing-component', () => {
    const POST = `${APP}/pages/post.ts`;
    beforeEach(() => {
      tree.create(
        POST,
        "import { Component } from '@angular/core';\n\n@Component({ selector: 'app-post', template: '<p>post</p>' })\nexport class PostPage {}\n",
      );
    });

    it('routes to the class found in the file (path from the workspace root), importing it eagerly', async () => {
      await runIsrRoute(tree, { path: 'post/:id', revalidate: 120, existingComponent: 'projects/app/src/app/pages/post.ts' });

      expect(onlyRoute(tree, ROUTES, 'post/:id', 'routes').properties['component']).toBe('PostPage');
      expect(readImports(tree, ROUTES)).toContainEqual(['PostPage', './pages/post']);
      expect(tree.exists(`${APP}/post-id/post-id.ts`)).toBe(false);
      expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
    });

    it('accepts an import path relative to the routes file with #Class, lazily', async () => {
      tree.overwrite(POST, tree.readContent(POST) + "\n@Component({ selector: 'app-other', template: '' })\nexport class Other {}\n");
      await expectRefusal(
        tree,
        { path: 'post/:id', revalidate: 1, existingComponent: './pages/post' },
        /exactly one exported @Component class \(found: PostPage, Other\)/,
      );

      await runIsrRoute(tree, { path: 'post/:id', revalidate: 1, existingComponent: './pages/post#Other', lazy: true });
      expect(onlyRoute(tree, ROUTES, 'post/:id', 'routes').properties['loadComponent']).toBe(
        "() => import('./pages/post').then(m => m.Other)",
      );
      expect(typeCheck(tree, [`${APP}/app.config.ts`])).toEqual([]);
    });

    it('refuses a file that does not exist', async () => {
      await expectRefusal(tree, { path: 'x', revalidate: 1, existingComponent: './pages/nope' }, /no such file/);
    });
  });

  describe('refuses with a clear message and changes nothing', () => {
    it.each([
      ['blog/../admin', /"\." and "\.\." segments are not allowed/],
      ['blog post', /must not contain spaces/],
      ['**', /wildcards/],
      ['blog/**', /wildcards/],
      ['a//b', /empty segment/],
      ['//', /it is empty/],
      ["it's", /segment "it's"/],
    ])('an invalid path %p', async (path, message) => {
      await expectRefusal(tree, { path, revalidate: 60 }, message);
    });

    it.each([[-1], [1.5], ['soon']])('revalidate %p', async (revalidate) => {
      await expectRefusal(tree, { path: 'blog', revalidate }, /revalidate/);
    });

    it('a folder for the new component that already exists', async () => {
      tree.create(`${APP}/blog/blog.ts`, 'export const x = 1;\n');
      await expectRefusal(tree, { path: 'blog', revalidate: 60 }, /projects\/app\/src\/app\/blog already exists.*--existing-component/);
    });

    it('a routes file without routes, printing the route to add by hand', async () => {
      await expectRefusal(
        tree,
        { path: 'blog', revalidate: 60, routesFile: 'projects/app/src/app/app.ts' },
        /Could not find the app's routes[\s\S]*path: 'blog',\n {2}component: Blog,\n {2}data: \{ revalidate: 60 \}/,
      );
    });

    it('ng-isr not set up (no dependency, no provideISR)', async () => {
      const bare = await createWorkspace({ isrSetUp: false });
      await expectRefusal(
        bare,
        { path: 'blog', revalidate: 60 },
        /ng-isr is not set up in project "app".*Run "ng add ng-isr --project app" first/,
      );
    });

    it('ng-isr installed but provideISR() missing from the server config', async () => {
      const bare = await createWorkspace({ isrSetUp: false });
      const pkg = JSON.parse(bare.readContent('/package.json'));
      pkg.dependencies['ng-isr'] = '^0.1.0';
      bare.overwrite('/package.json', JSON.stringify(pkg));
      await expectRefusal(bare, { path: 'blog', revalidate: 60 }, /calls provideISR\(\)/);
    });

    it('a project without SSR', async () => {
      const noSsr = await createWorkspace({ ssr: false, isrSetUp: false });
      await expectRefusal(noSsr, { path: 'blog', revalidate: 60 }, /has no server-side rendering.*ng add @angular\/ssr/);
    });

    it('a project on the webpack builders (as ng add refuses it)', async () => {
      const angularJson = JSON.parse(tree.readContent('/angular.json'));
      const architect = angularJson.projects.app.architect;
      architect.build.builder = '@angular-devkit/build-angular:browser';
      architect.server = { builder: '@angular-devkit/build-angular:server', options: {} };
      tree.overwrite('/angular.json', JSON.stringify(angularJson, null, 2));
      await expectRefusal(tree, { path: 'blog', revalidate: 60 }, /webpack builders.*use-application-builder/);
    });

    it('a project that only prerenders (outputMode static, no ssr entry)', async () => {
      const angularJson = JSON.parse(tree.readContent('/angular.json'));
      const build = angularJson.projects.app.architect.build.options;
      build.outputMode = 'static';
      delete build.ssr;
      tree.overwrite('/angular.json', JSON.stringify(angularJson, null, 2));
      await expectRefusal(tree, { path: 'blog', revalidate: 60 }, /has no server-side rendering/);
    });
  });
});

describe('ng generate ng-isr:isr-route (NgModule app, standalone: false)', () => {
  const ROUTING = `${APP}/app-routing-module.ts`;
  let tree: UnitTestTree;
  beforeEach(async () => {
    tree = await createWorkspace({ standalone: false });
  });

  it('adds the route to the routes const of the routing module and the server route; re-run is a no-op', async () => {
    await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60, tags: ['posts'] });

    const route = onlyRoute(tree, ROUTING, 'blog/:slug', 'routes');
    expect(route.properties['component']).toBe('BlogSlug');
    expect(route.data).toEqual({ revalidate: '60', isrTags: "['posts']" });
    expect(readImports(tree, ROUTING)).toContainEqual(['BlogSlug', './blog-slug/blog-slug']);
    expect(serverModes(tree)).toEqual([
      ['blog/:slug', 'RenderMode.Server'],
      ['**', 'RenderMode.Prerender'],
    ]);
    expect(typeCheck(tree, [`${APP}/app-module.ts`, SERVER_ROUTES])).toEqual([]);

    const before = snapshot(tree);
    await runIsrRoute(tree, { path: 'blog/:slug', revalidate: 60, tags: ['posts'] });
    expect(snapshot(tree)).toEqual(before);
  });

  it('edits an array written inline in RouterModule.forRoot([...]) (app-routing.module.ts naming)', async () => {
    tree.delete(ROUTING);
    tree.create(
      `${APP}/app-routing.module.ts`,
      "import { NgModule } from '@angular/core';\nimport { RouterModule } from '@angular/router';\n\n" +
        "@NgModule({\n  imports: [RouterModule.forRoot([{ path: 'home', loadChildren: () => import('./home/home.routes').then(m => m.routes) }, { path: '**', redirectTo: 'home' }])],\n  exports: [RouterModule]\n})\nexport class AppRoutingModule { }\n",
    );
    tree.create(`${APP}/home/home.routes.ts`, "import { Routes } from '@angular/router';\n\nexport const routes: Routes = [];\n");
    tree.overwrite(
      `${APP}/app-module.ts`,
      tree.readContent(`${APP}/app-module.ts`).replace("'./app-routing-module'", "'./app-routing.module'"),
    );
    await runIsrRoute(tree, { path: 'faq', revalidate: 3600, lazy: true });

    const routes = readRoutes(tree, `${APP}/app-routing.module.ts`);
    expect(routes.map((route) => route.path)).toEqual(['home', 'faq', '**']);
    expect(routes[1].data).toEqual({ revalidate: '3600' });
    expect(tree.readContent(`${APP}/app-routing.module.ts`)).toContain(
      "{ path: 'faq', loadComponent: () => import('./faq/faq').then(m => m.Faq), data: { revalidate: 3600 } }, { path: '**'",
    );
    expect(typeCheck(tree, [`${APP}/app-module.ts`])).toEqual([]);
  });
});
