/**
 * The `autonomic` command line. Each sub-command lives in its own file under commands/; this file wires
 * them, turns user errors into one clear line and exit code 2, and never prints a stack trace for them.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../../core/errors.js';
import { registerAudit } from './commands/audit.js';
import { registerPolicy } from './commands/policy.js';
import { registerApprovals } from './commands/approvals.js';
import { registerSimulate } from './commands/simulate.js';
import { registerDemo } from './commands/demo.js';
import { registerRuns } from './commands/runs.js';
import { registerSim } from './commands/sim.js';
import { registerModels } from './commands/models.js';
import { resolveDbPath } from '../../knowledge/store.js';
import { isPostgresUrl, parsePostgresUrl } from '../../knowledge/postgres.js';
import { registerRun } from './commands/run.js';
import { registerTrain } from './commands/train.js';
import { registerServe } from './commands/serve.js';
import { registerMcp } from './commands/mcp.js';
import { registerAsk } from './commands/ask.js';
import { registerIntent } from './commands/intent.js';
import { registerDrift } from './commands/drift.js';
import { registerRetire } from './commands/retire.js';

export function buildProgram(): Command {
  const program = new Command('autonomic')
    .description('Autonomic runs infrastructure by itself, safely: a MAPE-K control loop with guardrails and an audit journal.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerSimulate(program);
  registerRuns(program);
  registerAudit(program);
  registerPolicy(program);
  registerApprovals(program);
  registerSim(program);
  registerModels(program);
  registerRun(program);
  registerTrain(program);
  registerServe(program);
  registerMcp(program);
  registerAsk(program);
  registerIntent(program);
  registerDrift(program);
  registerRetire(program);
  program.commands.forEach((c) => c.exitOverride());
  return program;
}

let stdoutGuarded = false;

/**
 * `autonomic audit list | head` closes stdout early: the reader has all it wanted, which is no error, and an
 * unhandled EPIPE would print a stack trace (and cut a simulation short before its run is recorded).
 */
function ignoreClosedStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

export async function main(argv: string[]): Promise<number> {
  ignoreClosedStdout();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    const storeProblem = storeOpenProblem(e);
    if (storeProblem) {
      // A --db / $AUTONOMIC_DB that is a directory, not a database, or unreachable is bad input, not a crash.
      process.stderr.write(`error: ${displayStore(dbFlagOf(program) ?? resolveDbPath())}: cannot open the knowledge store: ${storeProblem} (check --db or $AUTONOMIC_DB)\n`);
      return 2;
    }
    const err = e as Error;
    process.stderr.write(`internal error: ${err.stack ?? String(err)}\n`);
    return 1;
  }
}

/** Errors of a store location that is unusable (raised when the store is opened), as one line. */
const STORE_OPEN_CODES = new Set([
  'SQLITE_NOTADB', 'SQLITE_CANTOPEN',
  // PostgreSQL: server unreachable, authentication refused, no such database.
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', '28000', '28P01', '3D000',
]);

function storeOpenProblem(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && STORE_OPEN_CODES.has(code) ? (e.message.split('\n')[0] || code) : undefined;
}

/** A postgres:// URL without its password: error messages must not leak it. */
function displayStore(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    return parsePostgresUrl(location).display;
  } catch {
    return 'postgres://…';
  }
}

/** The --db value of whichever (sub)command was run, if it was given. */
function dbFlagOf(cmd: Command): string | undefined {
  const own = cmd.opts<{ db?: unknown }>().db;
  if (typeof own === 'string') return own;
  for (const sub of cmd.commands) {
    const found = dbFlagOf(sub);
    if (found !== undefined) return found;
  }
  return undefined;
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
