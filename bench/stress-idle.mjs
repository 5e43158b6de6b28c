// Control process of `npm run stress`: does nothing but measure its own event-loop delay, so the
// report can tell the machine's load from the handler's.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
process.on('message', () => {
  process.send(delay.percentile(99) / 1e6, () => process.exit(0));
});
