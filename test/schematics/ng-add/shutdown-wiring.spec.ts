// How ng add wires the graceful shutdown into server.ts shapes other than the CLI's own (those are
// in the goldens): a listen call it cannot recognise (a warning with the lines, the rest is set up),
// the app's own signal handling, its own /healthz, a listening server it already keeps.
import * as ts from 'typescript';
import { rewriteServerFile } from '../../../schematics/ng-add/server-file';
import { runNgAdd, text } from './support/run-ng-add';
import { currentWorkspace } from './support/workspaces';

jest.setTimeout(120_000);

const SERVER = '/projects/demo/src/server.ts';
const OPTIONS = { tokenEnv: 'ISR_INVALIDATE_TOKEN', invalidatePath: '/api/invalidate' };
const LISTEN = 'app.listen(port, (error) => {';

let cliServer: string;
beforeAll(async () => {
  cliServer = text(await currentWorkspace({ standalone: true }), SERVER);
  expect(cliServer).toContain(LISTEN);
});

/** Rewrites `source` twice: the second run must change nothing and say the same. */
function rewrite(source: string) {
  const first = rewriteServerFile(ts, 'server.ts', source, OPTIONS);
  if (!first.ok) throw new Error(first.reason);
  const second = rewriteServerFile(ts, 'server.ts', first.text, OPTIONS);
  if (!second.ok) throw new Error(second.reason);
  expect(second.text).toBe(first.text);
  expect(second.warnings).toEqual(first.warnings);
  return first;
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('graceful shutdown in server.ts', () => {
  it('warns with the lines to add when the listen call is not recognised, and sets up the rest (ng add succeeds)', async () => {
    const files = await currentWorkspace({ standalone: true });
    const source = text(files, SERVER).replace(LISTEN, 'createServer(app).listen(port, (error) => {');
    const run = await runNgAdd(new Map(files).set(SERVER, Buffer.from(source)), { project: 'demo' });
    expect(run.logs.filter((entry) => entry.level === 'error')).toEqual([]);
    const warnings = run.logs.filter((entry) => entry.level === 'warn').map((entry) => entry.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `${SERVER.slice(1)}: no app.listen(...) call was recognised; no graceful shutdown was added. Add it by hand:`,
    );
    expect(warnings[0]).toContain("app.get('/healthz', (_req, res) => {");
    expect(warnings[0]).toContain('await isr.close({ timeoutMs: rendersMs });');
    const server = text(run.files, SERVER);
    expect(server).toContain('isr.handle(req, res, next)');
    expect(server).not.toContain('SHUTDOWN_TIMEOUT_MS');
    expect(server).not.toContain('/healthz');
  });

  it.each([
    [
      'its own SIGTERM handling',
      "\nprocess.on('SIGTERM', () => process.exit(0));\n",
      'it handles SIGTERM or SIGINT itself (add isr.close() there)',
    ],
    ['two listen calls', '\napp.listen(4001);\n', 'it calls listen() 2 times'],
  ])('leaves a file with %s alone, with a warning', (_label, extra, reason) => {
    const result = rewrite(cliServer + extra);
    expect(result.warnings).toEqual([expect.stringContaining(`server.ts: ${reason}; no graceful shutdown was added.`)]);
    expect(result.text).not.toContain('SHUTDOWN_TIMEOUT_MS');
  });

  it("keeps the app's own /healthz and the name it keeps the listening server under", () => {
    const source = cliServer
      .replace(LISTEN, `const httpServer = ${LISTEN}`)
      .replace(
        '/**\n * Serve static files from /browser',
        "app.get('/healthz', (_req, res) => {\n  res.send('fine');\n});\n\n/**\n * Serve static files from /browser",
      );
    const result = rewrite(source);
    expect(result.warnings).toEqual([]);
    expect(count(result.text, "'/healthz'")).toBe(1);
    expect(result.text).toContain("res.send('fine');");
    expect(result.text).toContain('let shuttingDown = false;');
    expect(result.text).toContain('httpServer.close(resolve)');
    expect(result.text).not.toContain('const server =');
  });

  it('says what it added, once', () => {
    const result = rewrite(cliServer);
    expect(result.messages.filter((message) => message.includes('SHUTDOWN_TIMEOUT_MS'))).toEqual([
      'server.ts: on SIGTERM/SIGINT the server now stops accepting connections, lets requests and renders finish within ' +
        'SHUTDOWN_TIMEOUT_MS (25 s by default) and closes the ISR cache tier; GET /healthz answers 503 meanwhile.',
    ]);
    expect(rewrite(result.text).messages).toEqual([]);
  });
});
