/** One instruction of a Dockerfile: its keyword (upper case) and arguments, continuations joined. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** One build stage: `FROM <image> AS <name>` and its instructions. */
export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/**
 * Reads a Dockerfile's stages: comments dropped, `\` continuations joined. Enough for the
 * consistency checks of the docs tests; not a full parser (no heredocs, no escape directive).
 */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\w+)\s+([\s\S]*)$/.exec(full);
    if (match) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.replace(/\s+/g, ' ').trim(), line: start });
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [, from = '', name = `stage-${stages.length}`] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction.args) ?? [];
      stages.push({ name, from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** The JSON array of an exec-form `CMD [...]` (also after HEALTHCHECK's options). */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}
