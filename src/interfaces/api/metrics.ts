import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ModelRegistry } from '../../knowledge/model-registry.js';
import type { Store } from '../../knowledge/store.js';

/**
 * Autonomic's own metrics. Gauges read the store when scraped (so they are right whichever process wrote it);
 * the tick-latency histogram is fed only when a loop runs in this process (`observeTick`).
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly tick: Histogram;

  constructor(store: Store, now: () => number) {
    // Own registry, not prom-client's global one: two servers in one process (tests) must not collide.
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'autonomic_journal_entries',
      help: 'Entries in the decision journal (its head sequence number).',
      registers: [this.registry],
      async collect() {
        this.set((await store.journal.head()).seq);
      },
    });
    new Gauge({
      name: 'autonomic_approvals_pending',
      help: 'High-risk actions waiting for a human decision.',
      registers: [this.registry],
      async collect() {
        this.set((await store.approvals.list({ status: 'pending' })).filter((a) => a.expiresAt > now()).length);
      },
    });
    const models = new ModelRegistry(store.db);
    new Gauge({
      name: 'autonomic_model_age_seconds',
      help: 'Age of the active forecasting model per series (since it was registered).',
      labelNames: ['series', 'kind'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const m of await models.history({ status: 'active' })) this.set({ series: m.seriesKey, kind: m.kind }, Math.max(0, now() - m.createdAt));
      },
    });
    this.tick = new Histogram({
      name: 'autonomic_tick_latency_seconds',
      help: 'Duration of one MAPE-K tick (monitor to record), when a loop runs in this process.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  observeTick(ms: number): void {
    this.tick.observe(ms / 1000);
  }
}
