import type { InvalidateAnswer } from '../../../builders/isr-invalidate/answer';
import { parseAnswer } from '../../../builders/isr-invalidate/answer';
import type { InvalidateResult } from '../../../runtime/invalidate/invalidation-run';

// The builder (CommonJS) and the runtime (ESM) are compiled apart and cannot share a declaration,
// so the endpoint's answer is declared twice. This file does not type-check (`npm test` runs
// `npm run typecheck` first; jest itself transpiles without types) when the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameAnswer: Same<InvalidateAnswer, InvalidateResult> = true;

describe('the invalidate answer the builder reads', () => {
  it('is the type the runtime answers', () => {
    expect(sameAnswer).toBe(true);
  });

  it('parses every list the runtime can answer', () => {
    const answer: Required<InvalidateResult> = {
      invalidated: ['/a'],
      notInCache: ['/b'],
      failed: { '/c': 'render failed' },
      removed: ['/d'],
      stale: ['/e'],
      purged: ['cloudflare'],
      purgeFailed: { fastly: 'HTTP 500' },
    };
    expect(parseAnswer(JSON.parse(JSON.stringify(answer)))).toEqual(answer);
  });
});
