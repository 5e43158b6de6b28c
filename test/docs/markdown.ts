/**
 * Small Markdown readers for the docs tests: front matter, links and heading anchors, with code
 * (fenced blocks and inline spans) left out so that `# comments` and `[x](y)` in examples count
 * for nothing.
 */

/** One `[text](target)` link and the line it is on. */
export interface MarkdownLink {
  target: string;
  line: number;
}

/** The lines of `text` outside fenced code blocks; lines inside are replaced by empty strings. */
export function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined) {
      if (fence === undefined) {
        fence = marker[0]!;
        return '';
      }
      if (marker[0] === fence) {
        fence = undefined;
        return '';
      }
    }
    return fence === undefined ? line : '';
  });
}

/** Removes inline code spans (`` `x` ``, ``` `` x `` ```). */
function withoutInlineCode(line: string): string {
  return line.replace(/(`+)(?:(?!\1).)+\1/g, '');
}

/** Every inline link and image target outside code. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(text).forEach((line, index) => {
    for (const match of withoutInlineCode(line).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ target: match[1]!, line: index + 1 });
    }
  });
  return links;
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Anchors of every ATX heading outside code, with GitHub's `-1`, `-2` suffixes for repeats. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const match = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const slug = headingSlug(match[1]!);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** The `key: value` pairs of a leading `---` front matter block, or `undefined` without one. */
export function frontMatter(text: string): Record<string, string> | undefined {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match) return undefined;
  const fields: Record<string, string> = {};
  for (const line of match[1]!.split('\n')) {
    const pair = /^([A-Za-z_][\w-]*):\s*(.*)$/.exec(line);
    if (pair) fields[pair[1]!] = pair[2]!.trim();
  }
  return fields;
}

/** Collapses runs of whitespace, so wrapped prose and one-line messages compare equal. */
export function normaliseSpace(text: string): string {
  return text.replace(/\s+/g, ' ');
}
