import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { COMMAND_AREAS } from './commands/command-registry';
import { CliError, ExitCode, errorMessage, formatError, isErrorLike } from './core/cli-errors';
import type { CliIo } from './core/cli-io';
import { CommandServices } from './core/command-services';

/** The whole command tree, wired to `io`. Built fresh per run so runs share no state. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('sitectl');
  // Settings first: subcommands copy them from their parent when created.
  program
    .description(
      'Command-line client of siteops: organizations, projects, sites, members, API keys and users.',
    )
    .version(version, '-V, --version', 'print the sitectl version')
    .option('--context <name>', 'use this context from the config instead of the current one')
    .exitOverride()
    .allowExcessArguments(false)
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
    });
  const services = new CommandServices(io, version);
  for (const area of COMMAND_AREAS) area(program, services);
  return program;
}

/**
 * Runs sitectl with `argv` (the arguments after the program name) and returns
 * the exit code. Every failure is reported here, once, as `error: …` on
 * stderr; stacks are shown only with SITECTL_DEBUG=1.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message or the help text.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return ExitCode.Ok;
    if (error.code === 'commander.help' && error.exitCode === 0) return ExitCode.Ok;
    return ExitCode.Usage;
  }
  if (error instanceof CliError) {
    io.stderr.write(formatError(error));
    return error.exitCode;
  }
  io.stderr.write(`error: ${errorMessage(error)}\n`);
  if (io.env['SITECTL_DEBUG'] === '1' && isErrorLike(error) && typeof error.stack === 'string') {
    io.stderr.write(`${error.stack}\n`);
  }
  return ExitCode.Error;
}
