import { z } from 'zod';
import { ActionSchema } from '../../core/action.js';
import { ERROR_STATUSES, ErrorSchema } from './errors.js';

/** Response shapes, for the OpenAPI document and so a handler can never leak a field it did not mean to send. */

export const JournalEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  runId: z.string().nullable(),
  kind: z.string(),
  actor: z.string(),
  summary: z.string(),
  payload: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

export const ApprovalSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  action: ActionSchema,
  source: z.string(),
  rationale: z.string(),
  reasons: z.array(z.string()),
  status: z.enum(['pending', 'approved', 'rejected', 'expired', 'executed']),
  decidedBy: z.string().optional(),
  decidedAt: z.number().optional(),
  note: z.string().optional(),
});

export const RunSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  command: z.string(),
  config: z.unknown(),
  seed: z.number().nullable(),
  status: z.enum(['running', 'completed', 'failed', 'interrupted']),
  lastTick: z.number().nullable(),
  progress: z.unknown(),
  finishedAt: z.number().nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  updatedAt: z.number(),
});

/** The run as listed: without pid/host (nothing a viewer needs to know about the loop's machine) or the full result. */
export const RunSummarySchema = RunSchema.omit({ result: true, config: true });

/** Ids in paths: a bounded token of safe characters, so nothing odd reaches a query or a log line. */
export const IdParam = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'ids are letters, digits and . _ : -');

/** The error statuses, each with the common error body, merged into a route's `response`. */
export const errorResponses = Object.fromEntries(ERROR_STATUSES.map((s) => [s, ErrorSchema])) as Record<(typeof ERROR_STATUSES)[number], typeof ErrorSchema>;
