// The page the stress engine renders for a path: its own marker padded to a size, so a check can
// tell every page's bytes apart.
export function pageFor(path, bytes) {
  const head = `<!doctype html><html><body><app-root ng-server-context="ssr"><h1>${path}</h1>`;
  const tail = '</app-root></body></html>';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}
