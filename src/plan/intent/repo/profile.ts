/**
 * AppProfile: what a repository says about the application it holds (image, ports, environment,
 * health endpoint, user), with the file each fact came from. It is read from files only: nothing in
 * the repository is run, and text in it is data, so the profile has no field a file could use to
 * widen privileges (no privileged flag, no capabilities, no host access).
 */
import { z } from 'zod';
import { DNS_LABEL } from '../spec.js';

export const ProfilePortSchema = z.object({
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['TCP', 'UDP']).default('TCP'),
});
export type ProfilePort = z.infer<typeof ProfilePortSchema>;

export const ProfileEnvSchema = z.object({
  name: z.string().min(1),
  /** Absent when the file gives none, or when the value is secret-looking (then `secret` is true). */
  value: z.string().optional(),
  secret: z.boolean().default(false),
});
export type ProfileEnv = z.infer<typeof ProfileEnvSchema>;

export const FactSourceSchema = z.object({
  /** Path relative to the repository root. */
  file: z.string(),
  line: z.number().int().positive().optional(),
  fact: z.enum(['name', 'image', 'base-image', 'port', 'env', 'health', 'user', 'start', 'version', 'dependency']),
  /** The fact as read (secret values are shown as "(redacted)"). */
  value: z.string(),
});
export type FactSource = z.infer<typeof FactSourceSchema>;

export const AppProfileSchema = z.object({
  name: z.string().regex(DNS_LABEL),
  /** The image that runs the app: from manifests or compose, else the Dockerfile's runtime base, else a Node image from engines. */
  image: z.string().optional(),
  /** The final stage's FROM when the repository builds its own image. */
  baseImage: z.string().optional(),
  /** A Dockerfile is present: the deployable image is built from the repository. */
  buildsImage: z.boolean(),
  version: z.string().optional(),
  ports: z.array(ProfilePortSchema),
  env: z.array(ProfileEnvSchema),
  healthPath: z.string().startsWith('/').optional(),
  healthPort: z.number().int().min(1).max(65535).optional(),
  user: z.string().optional(),
  startCommand: z.string().optional(),
  /** Other services the compose file runs next to the app (databases, caches). */
  dependencies: z.array(z.object({ name: z.string(), image: z.string().optional() })),
  sources: z.array(FactSourceSchema),
  /** Files skipped or not understood, each naming the file. */
  warnings: z.array(z.string()),
});
export type AppProfile = z.infer<typeof AppProfileSchema>;
