import { hashSlot, type RedisKeyLayout } from './redis-key-layout.js';
import {
  closeClient,
  isClusterClient,
  type RedisClientLike,
  type RedisClusterLike,
  type RedisClusterNodeLike,
} from './redis-client-like.js';
import type { RedisConnection } from './redis-connection.js';
import { withTimeout } from '../utils/timeout.js';

/** Least time between two attempts to (re)subscribe after a failure or a loss. */
const RESUBSCRIBE_DELAY_MS = 1_000;
/** A failure to subscribe on one cluster master: counted as that master's outage. */
class MasterSubscribeError extends Error {
  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(`${address}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export interface InvalidationBusHandlers {
  /** An invalidation message (the caller drops its own). */
  message(message: string): void;
  /** Messages may have been missed (subscription lost, or just established): drop every copy. */
  reset(): void;
}

/**
 * The subscription that keeps the in-process copies of a Redis tier coherent. On a single
 * server: one plain pub/sub channel on one extra connection. On a cluster: the sharded channel
 * of every bucket (`SSUBSCRIBE`, Redis 7), each on a connection to the master that owns its
 * slot, so that a message published by a script reaches us from the master that ran it.
 *
 * `coherent` is true only while every channel is subscribed. Any error, disconnect or moved
 * channel (failover, resharding) drops every subscriber connection and resets the copies; the
 * next request after {@link RESUBSCRIBE_DELAY_MS} subscribes afresh from the current topology.
 */
export class RedisInvalidationBus {
  private coherentNow = false;
  private subscribers: RedisClientLike[] = [];
  private subscribing = false;
  private generation = 0;
  private nextAttemptAt = 0;
  private closed = false;
  private readonly listener = (message: string): void => this.handlers.message(message);

  constructor(
    private readonly connection: RedisConnection,
    private readonly layout: RedisKeyLayout,
    private readonly commandTimeoutMs: number,
    private readonly handlers: InvalidationBusHandlers,
  ) {}

  get coherent(): boolean {
    return this.coherentNow;
  }

  /** Starts subscribing when not subscribed (at most once per delay); true while coherent. */
  ensure(): boolean {
    if (this.coherentNow || this.subscribing || this.closed || Date.now() < this.nextAttemptAt) return this.coherentNow;
    this.subscribing = true;
    this.nextAttemptAt = Date.now() + RESUBSCRIBE_DELAY_MS;
    const generation = ++this.generation;
    this.subscribe(generation)
      .then(() => {
        if (generation !== this.generation) return;
        this.handlers.reset();
        this.coherentNow = true;
      })
      .catch((error: unknown) => {
        this.lost(generation);
        // Reported as an outage of the master that failed (once, with the commands' own failures).
        if (!this.closed) this.connection.markDown(error, error instanceof MasterSubscribeError ? error.address : undefined);
      })
      .finally(() => {
        this.subscribing = false;
      });
    return false;
  }

  close(): void {
    this.closed = true;
    this.lost(this.generation);
  }

  private async subscribe(generation: number): Promise<void> {
    const client = await this.connection.readyClient();
    if (!isClusterClient(client)) {
      const subscriber = this.track(client.duplicate(), generation);
      await this.timed(() => subscriber.connect(), 'subscriber connection');
      await this.timed(() => subscriber.subscribe(this.layout.plainChannel, this.listener), 'SUBSCRIBE');
      return;
    }
    await Promise.all(
      [...channelsByMaster(client, this.layout.allChannels()).values()].map(({ node, channels }) =>
        this.subscribeOn(client, node, channels, generation).catch((error: unknown) => {
          throw new MasterSubscribeError(node.address, error);
        }),
      ),
    );
  }

  /** One connection to `node` (a duplicate of the cluster's own, same TLS and credentials) for its channels. */
  private async subscribeOn(client: RedisClusterLike, node: RedisClusterNodeLike, channels: string[], generation: number): Promise<void> {
    const nodeClient = await this.timed(() => client.nodeClient(node), `cluster node ${node.address}`);
    const subscriber = this.track(nodeClient.duplicate(), generation);
    await this.timed(() => subscriber.connect(), `subscriber on ${node.address}`);
    const sSubscribe = subscriber.sSubscribe?.bind(subscriber);
    if (!sSubscribe) throw new Error('the redis client has no sSubscribe() (redis >= 4.6 is required for a cluster)');
    // One SSUBSCRIBE per channel: a cluster refuses channels of several slots in one command.
    await this.timed(() => Promise.all(channels.map((channel) => sSubscribe(channel, this.listener))), `SSUBSCRIBE on ${node.address}`);
  }

  /** Registers a subscriber of this generation: any trouble on it means messages may be lost. */
  private track(subscriber: RedisClientLike, generation: number): RedisClientLike {
    const lose = (): void => this.lost(generation);
    subscriber.on('error', lose);
    subscriber.on('end', lose);
    subscriber.on('sharded-channel-moved', lose);
    if (generation === this.generation) this.subscribers.push(subscriber);
    else void closeQuietly(subscriber);
    return subscriber;
  }

  private lost(generation: number): void {
    if (generation !== this.generation) return;
    this.generation++;
    const wasCoherent = this.coherentNow;
    this.coherentNow = false;
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) void closeQuietly(subscriber);
    if (wasCoherent) this.handlers.reset();
  }

  private timed<T>(task: () => Promise<T>, what: string): Promise<T> {
    const ms = Math.max(1_000, this.commandTimeoutMs * 2);
    return withTimeout(ms, task, () => new Error(`${what} timed out after ${ms} ms`));
  }
}

/** Groups channels by the master owning their slot (as the cluster client last saw the slots). */
function channelsByMaster(cluster: RedisClusterLike, channels: string[]): Map<string, { node: RedisClusterNodeLike; channels: string[] }> {
  const groups = new Map<string, { node: RedisClusterNodeLike; channels: string[] }>();
  for (const channel of channels) {
    const node = cluster.slots[hashSlot(channel)]?.master;
    if (!node) throw new Error(`no cluster master is known for the slot of ${channel}`);
    let group = groups.get(node.address);
    if (!group) groups.set(node.address, (group = { node, channels: [] }));
    group.channels.push(channel);
  }
  return groups;
}

async function closeQuietly(client: RedisClientLike): Promise<void> {
  try {
    if (client.destroy) client.destroy();
    else await closeClient(client);
  } catch {
    // already closed
  }
}
