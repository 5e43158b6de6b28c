import { MemoryCacheHandler } from '../../../runtime/cache/memory-cache-handler';
import { describeCacheHandlerContract } from './cache-handler.contract';

describeCacheHandlerContract('MemoryCacheHandler', () => new MemoryCacheHandler({ maxBytes: 16 * 1024 * 1024 }));
