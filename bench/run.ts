/**
 * `npm run bench -- <suite> [--data DIR] [--json] [...]`: runs one benchmark suite.
 * Each suite lives in bench/<suite>.ts and exports `run(args): Promise<BenchResult>`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, printResult, type BenchArgs, type BenchResult } from './lib/report.js';

const here = dirname(fileURLToPath(import.meta.url));
const suites = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.replace(/\.ts$/, ''));

async function main(): Promise<number> {
  const [suite, ...rest] = process.argv.slice(2);
  if (!suite || suite === '--help' || suite === '-h') {
    process.stdout.write(`usage: npm run bench -- <suite> [--data DIR] [--json]\nsuites: ${suites.join(', ')}\n`);
    return suite ? 0 : 2;
  }
  if (!suites.includes(suite)) {
    process.stderr.write(`error: unknown benchmark suite '${suite}' (known: ${suites.join(', ')})\n`);
    return 2;
  }
  let args: BenchArgs;
  try {
    args = parseBenchArgs(rest);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.data !== null && !existsSync(args.data)) {
    process.stderr.write(`error: --data ${args.data}: no such folder\n`);
    return 2;
  }
  const mod = (await import(join(here, `${suite}.ts`))) as { run: (a: BenchArgs) => Promise<BenchResult> };
  try {
    printResult(await mod.run(args), args.json);
    return 0;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`error: ${err.name === 'UserError' ? err.message : err.stack ?? err.message}\n`);
    return err.name === 'UserError' ? 2 : 1;
  }
}

main().then((code) => process.exit(code));
