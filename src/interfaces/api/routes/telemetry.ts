import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SeasonalNaiveForecaster } from '../../../analyze/forecast/seasonal-naive.js';
import { TelemetryStore } from '../../../knowledge/telemetry.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { errorResponses } from '../schemas.js';

/** JSON has no NaN: gaps travel as null. */
const nullable = (xs: ArrayLike<number>): (number | null)[] => Array.from(xs, (x) => (Number.isFinite(x) ? x : null));
const Points = z.array(z.number().nullable());

/**
 * Stored telemetry for the dashboard's forecast-vs-actual chart: the recent actuals and a seasonal-naive forecast
 * made `horizon` steps before the end (so it overlaps what really happened), with its p10–p90 interval.
 */
export const telemetryRoutes: FastifyPluginAsyncZod<{ ctx: ApiContext }> = async (app, { ctx }) => {
  const telemetry = new TelemetryStore(ctx.store.db);
  app.get('/api/telemetry', {
    config: { access: 'viewer' },
    schema: { summary: 'Stored telemetry series keys', tags: ['telemetry'], response: { 200: z.object({ keys: z.array(z.string()) }), ...errorResponses } },
  }, async () => ({ keys: await telemetry.keys() }));

  app.get('/api/telemetry/forecast', {
    config: { access: 'viewer' },
    schema: {
      summary: 'Recent actuals of one series and a backtested forecast over the last `horizon` steps (5-minute steps)',
      tags: ['telemetry'],
      querystring: z.strictObject({
        key: z.string().min(1).max(256),
        window: z.coerce.number().int().min(12).max(2016).default(288),
        horizon: z.coerce.number().int().min(1).max(288).default(24),
      }),
      response: {
        200: z.object({ key: z.string(), model: z.string(), start: z.number(), stepSeconds: z.number(), actual: Points, forecastOffset: z.number().int(), p10: Points, p50: Points, p90: Points }),
        ...errorResponses,
      },
    },
  }, async (req) => {
    const { key, window, horizon } = req.query;
    const h = await telemetry.history(key);
    if (!h) throw new ApiError(404, 'not-found', `no telemetry for series "${key}"`);
    const n = h.values.length;
    const cut = Math.max(1, n - horizon);
    const model = new SeasonalNaiveForecaster();
    model.fit(h.values.subarray(0, cut));
    const f = model.predict(n - cut);
    const from = Math.max(0, n - window);
    return {
      key, model: model.name, start: h.start + from * h.stepSeconds, stepSeconds: h.stepSeconds,
      actual: nullable(h.values.subarray(from)), forecastOffset: cut - from,
      p10: nullable(f.p10), p50: nullable(f.p50), p90: nullable(f.p90),
    };
  });
};
