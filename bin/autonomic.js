#!/usr/bin/env node
// Runs the TypeScript CLI in-process through tsx's loader, so a fresh clone works without a build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/interfaces/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
