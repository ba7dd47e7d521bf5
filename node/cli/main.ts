/**
 * The `tessera` command line. Each area registers its subcommand in commands.ts; this file only
 * parses, runs, and turns a typed error into a clear message and a non-zero exit.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands.js';
import { USAGE_EXIT_CODE, UsageError } from './usage-error.js';

export async function main(argv: string[]): Promise<void> {
  let parser = yargs(argv)
    .scriptName('tessera')
    .usage(
      '$0 <command>\n\nTessera: a distributed, erasure-coded storage cluster with continuous data protection.',
    )
    .strict()
    .demandCommand(1, 'Name a command; --help lists them.')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      // A thrown error is reported by main()'s catch; a usage mistake here, with exit code 2.
      if (error && !(error instanceof UsageError)) throw error;
      process.stderr.write(`tessera: ${error?.message ?? message}\nRun with --help for usage.\n`);
      process.exit(USAGE_EXIT_CODE);
    });
  for (const command of commands) parser = command(parser);
  await parser.help().version().parseAsync();
}

main(hideBin(process.argv)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`tessera: ${error.message}\nRun with --help for usage.\n`);
    process.exitCode = USAGE_EXIT_CODE;
    return;
  }
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? ` [${String(error.code)}]`
      : '';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`tessera: ${message}${code}\n`);
  process.exitCode = 1;
});
