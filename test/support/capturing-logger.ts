import type { ISRLogger } from '../../runtime/utils/logger.js';

/** Captures every log line with its level; fits both `ISRLogger` and the cache tiers' `CacheLogger`. */
export class CapturingLogger implements ISRLogger {
  readonly lines: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; message: string }> = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  /** Messages of one level, in order. */
  at(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
  /** Every message, in order. */
  messages(): string[] {
    return this.lines.map((line) => line.message);
  }
}
