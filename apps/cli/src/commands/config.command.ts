import type { Command } from 'commander';
import { CliError } from '../core/cli-errors';
import type { CommandServices } from '../core/command-services';
import { apiKeyId, findContext, saveConfig } from '../core/config-store';
import { chooseFormat, outputOption, writeList } from '../core/output';

/** One context as `get-contexts` shows it: the key is reduced to its public id. */
interface ContextView {
  current: boolean;
  name: string;
  apiUrl: string;
  apiKeyId: string | null;
}

/** `config get-contexts | use-context | current-context`: local only, no API calls. */
export function registerConfigCommands(program: Command, services: CommandServices): void {
  const { io } = services;
  const config = program
    .command('config')
    .description('manage contexts in the sitectl config file');

  config
    .command('get-contexts')
    .description('list the contexts')
    .addOption(outputOption())
    .action(async (opts: { output?: string }) => {
      const file = await services.loadConfig();
      const views = file.contexts.map((c): ContextView => ({
        current: c.name === file.currentContext,
        name: c.name,
        apiUrl: c.apiUrl,
        apiKeyId: c.apiKey ? (apiKeyId(c.apiKey) ?? 'unknown') : null,
      }));
      await writeList(
        io,
        chooseFormat(opts.output, io.stdout),
        views,
        [
          { header: 'current', value: (v) => (v.current ? '*' : '') },
          { header: 'name', value: (v) => v.name },
          { header: 'api url', value: (v) => v.apiUrl },
          { header: 'api key', value: (v) => (v.apiKeyId ? `siteops_${v.apiKeyId}_…` : '(none)') },
        ],
        'contexts',
      );
    });

  config
    .command('use-context')
    .description('make NAME the current context')
    .argument('<name>', 'context name')
    .action(async (name: string) => {
      const file = await services.loadConfig();
      if (!findContext(file, name)) {
        throw new CliError(`no context named "${name}"`, {
          hint: 'list them with `sitectl config get-contexts`, or create it with `sitectl login --context NAME`',
        });
      }
      await saveConfig(services.configPath, { ...file, currentContext: name });
      io.stdout.write(`Switched to context "${name}".\n`);
    });

  config
    .command('current-context')
    .description('print the name of the current context')
    .action(async () => {
      const file = await services.loadConfig();
      if (file.currentContext === undefined) {
        throw new CliError('no current context is set', {
          hint: 'run `sitectl login` or `sitectl config use-context NAME`',
        });
      }
      io.stdout.write(`${file.currentContext}\n`);
    });
}
