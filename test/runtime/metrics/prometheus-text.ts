/** One sample of the Prometheus text format. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: samples, and the TYPE of each metric family. */
export interface ParsedExposition {
  samples: ParsedSample[];
  types: Map<string, string>;
  /** Sum of the samples named `name` whose labels include `labels`. */
  value(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/;

/**
 * A strict parser of the Prometheus text format (version 0.0.4): throws on any line that is not
 * `# HELP`, `# TYPE`, a blank line or `name{label="value",…} number`, and on samples of a family
 * without a TYPE line.
 */
export function parsePrometheusText(text: string): ParsedExposition {
  const samples: ParsedSample[] = [];
  const types = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const part of match[2] ? match[2].split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/) : []) {
      const label = LABEL.exec(part);
      if (!label) throw new Error(`line ${index + 1} has a malformed label: ${part}`);
      labels[label[1]] = label[2];
    }
    const value = match[3] === '+Inf' ? Infinity : Number(match[3]);
    if (Number.isNaN(value)) throw new Error(`line ${index + 1} has no number: ${line}`);
    const family = match[1].replace(/_(bucket|sum|count)$/, '');
    if (!types.has(match[1]) && !types.has(family)) throw new Error(`line ${index + 1}: ${match[1]} has no TYPE line`);
    samples.push({ name: match[1], labels, value });
  }
  return {
    samples,
    types,
    value: (name, wanted = {}) =>
      samples
        .filter((sample) => sample.name === name && Object.entries(wanted).every(([key, value]) => sample.labels[key] === value))
        .reduce((sum, sample) => sum + sample.value, 0),
  };
}
