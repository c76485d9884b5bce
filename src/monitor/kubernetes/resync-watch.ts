/**
 * A watch that keeps a local copy of a collection current, the way client-go's reflector does: list (which gives
 * a resourceVersion), watch from there, apply ADDED/MODIFIED/DELETED to the copy, remember each BOOKMARK's
 * version. When the stream ends cleanly (the server closes watches after a timeout) it re-watches from the last
 * version seen; when that version is too old (410 Gone, as an ERROR event or as the HTTP status) or the connection
 * fails, it lists again (a resync) and starts over, with exponential backoff between failed attempts.
 */
import type { Watch } from '@kubernetes/client-node';
import { z } from 'zod';

export interface WatchedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ResyncingWatchOptions<T extends WatchedObject> {
  watch: Watch;
  /** API path of the collection, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  list: () => Promise<ListResult<T>>;
  onEvent?: (type: WatchEventType, object: T) => void;
  /** After every (re)list: the whole collection, and why it was listed. */
  onResync?: (items: readonly T[], reason: string) => void;
  /** A failure the watch recovers from by itself (for logs). */
  onError?: (message: string) => void;
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** The watch ERROR event's object: a metav1.Status. */
const WatchStatusSchema = z.object({ code: z.number().optional(), reason: z.string().optional(), message: z.string().optional() });

const keyOf = (o: WatchedObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class ResyncingWatch<T extends WatchedObject> {
  private readonly cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  /** How many times the collection was listed, and watches started (for tests and metrics). */
  lists = 0;
  watches = 0;

  constructor(private readonly o: ResyncingWatchOptions<T>) {}

  /** Lists once and starts watching; resolves when the first list is in the cache (rejects if it fails). */
  async start(): Promise<void> {
    await this.relist('initial list');
    this.startWatch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  items(): T[] {
    return [...this.cache.values()];
  }

  get version(): string | undefined {
    return this.resourceVersion;
  }

  private async relist(reason: string): Promise<void> {
    const r = await this.o.list();
    this.lists++;
    this.cache.clear();
    for (const item of r.items) this.cache.set(keyOf(item), item);
    this.resourceVersion = r.metadata?.resourceVersion;
    this.o.onResync?.(r.items, reason);
  }

  private schedule(next: () => Promise<void> | void): void {
    if (this.stopped) return;
    const base = this.o.backoffMs ?? 1000;
    const delay = this.failures === 0 ? 0 : Math.min(this.o.maxBackoffMs ?? 30_000, base * 2 ** (this.failures - 1));
    this.timer = setTimeout(() => void next(), delay);
    this.timer.unref();
  }

  private resyncThenWatch(reason: string): void {
    this.schedule(async () => {
      if (this.stopped) return;
      try {
        await this.relist(reason);
        this.failures = 0;
        this.startWatch();
      } catch (e) {
        this.failures++;
        this.o.onError?.(`relist of ${this.o.path} failed: ${e instanceof Error ? e.message : String(e)}`);
        this.resyncThenWatch(reason);
      }
    });
  }

  private startWatch(): void {
    if (this.stopped) return;
    let gone = false;
    let sawEvent = false;
    this.watches++;
    const params = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true };
    this.o.watch.watch(this.o.path, params, (type: string, object: unknown) => {
      if (type === 'ERROR') {
        const status = WatchStatusSchema.safeParse(object);
        if (status.success && status.data.code === 410) gone = true;
        else this.o.onError?.(`watch of ${this.o.path} sent an error: ${status.success ? status.data.message ?? '' : 'unreadable'}`);
        this.abort?.abort();
        return;
      }
      const obj = object as T;
      const rv = obj.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      if (type === 'BOOKMARK') return;
      if (type === 'DELETED') this.cache.delete(keyOf(obj));
      else if (type === 'ADDED' || type === 'MODIFIED') this.cache.set(keyOf(obj), obj);
      else return;
      sawEvent = true;
      this.failures = 0;
      this.o.onEvent?.(type, obj);
    }, (err: unknown) => {
      if (this.stopped) return;
      const status = typeof err === 'object' && err !== null ? (err as { statusCode?: unknown }).statusCode : undefined;
      if (gone || status === 410) {
        this.resyncThenWatch('410 Gone: the watched resourceVersion is too old');
        return;
      }
      if (err) {
        this.failures++;
        this.o.onError?.(`watch of ${this.o.path} failed: ${err instanceof Error ? err.message : String(err)}`);
        this.resyncThenWatch('the watch connection failed');
        return;
      }
      // A clean end (server-side timeout, disconnect): continue from the last version seen. A stream that ends at
      // once, again and again, backs off like a failure.
      if (!sawEvent) this.failures++;
      this.schedule(() => this.startWatch());
    }).then((c) => {
      this.abort = c;
      if (this.stopped) c.abort();
    }, (e: unknown) => {
      this.failures++;
      this.o.onError?.(`watch of ${this.o.path} could not start: ${e instanceof Error ? e.message : String(e)}`);
      this.resyncThenWatch('the watch could not start');
    });
  }
}
