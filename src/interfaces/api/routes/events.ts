import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';
import { LatestStateStore } from '../../../knowledge/latest-state.js';

/** Most journal entries one poll sends; a backlog drains over the following polls. */
const PAGE = 200;
const HEARTBEAT_MS = 15_000;
/** Each stream holds a socket and polls the store; beyond this, new ones are refused. */
const MAX_STREAMS = 64;

/**
 * Server-sent events of new journal entries. Each stream polls the journal by sequence number (so entries written
 * by any process — the loop, the CLI, this server — arrive) and resumes after Last-Event-ID on reconnect.
 */
export const eventRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  let open = 0;
  const streams = new Set<() => void>();
  // Open streams would keep close() waiting forever: end them first.
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  app.get('/api/events', {
    config: { access: 'viewer' },
    schema: {
      summary: 'Server-sent events: one `entry` event per new journal entry (id = sequence number); an `overview` event (no id) when a loop records a new state (GET /api/overview)',
      tags: ['journal'],
      querystring: z.strictObject({
        kind: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/).optional().describe('only entries of this kind, e.g. decision'),
        after: z.coerce.number().int().min(0).optional().describe('start after this sequence number (default: now)'),
      }),
      headers: z.object({ 'last-event-id': z.coerce.number().int().min(0).optional() }),
      response: { 200: z.string().describe('text/event-stream'), ...errorResponses },
    },
  }, async (req, reply) => {
    if (open >= MAX_STREAMS) throw new ApiError(503, 'too-many-streams', `at most ${MAX_STREAMS} event streams at once`);
    let cursor = req.headers['last-event-id'] ?? req.query.after ?? (await ctx.store.journal.head()).seq;
    const kind = req.query.kind;
    // The loop's latest state is not in the journal: its last write time is polled alongside, announced when it moves.
    const states = new LatestStateStore(ctx.store.db);
    const announceOverview = kind === undefined || kind === 'overview';
    let overviewAt = announceOverview ? await states.lastWrite() : 0;
    open++;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: 2000\n: connected after #${cursor}\n\n`);
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let lastWrite = Date.now();
    const stop = (): void => {
      if (closed) return;
      closed = true;
      open--;
      clearTimeout(timer);
      streams.delete(end);
    };
    const end = (): void => {
      stop();
      res.end();
    };
    streams.add(end);
    req.raw.on('close', stop);
    res.on('close', stop);
    const poll = async (): Promise<void> => {
      if (closed) return;
      try {
        // Cursor over every kind, filtered here: a filtered query would rescan skipped kinds on every poll.
        const entries = await ctx.store.journal.list({ afterSeq: cursor, limit: PAGE });
        for (const e of entries) {
          cursor = e.seq;
          if (kind !== undefined && e.kind !== kind) continue;
          // JSON.stringify escapes newlines, so one entry is always one `data:` line.
          res.write(`id: ${e.seq}\nevent: entry\ndata: ${JSON.stringify(e)}\n\n`);
          lastWrite = Date.now();
        }
        if (announceOverview) {
          const at = await states.lastWrite();
          if (at > overviewAt) {
            overviewAt = at;
            res.write(`event: overview\ndata: ${JSON.stringify({ updatedAt: at })}\n\n`);
            lastWrite = Date.now();
          }
        }
        if (Date.now() - lastWrite >= HEARTBEAT_MS) {
          res.write(`: keep-alive\n\n`);
          lastWrite = Date.now();
        }
      } catch (err) {
        req.log.error({ err }, 'event stream poll failed');
        res.end();
        stop();
        return;
      }
      if (!closed) timer = setTimeout(() => void poll(), ctx.eventPollMs);
    };
    await poll();
  });
};
