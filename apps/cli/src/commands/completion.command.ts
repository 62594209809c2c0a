import { Argument, type Command } from 'commander';
import type { CommandServices } from '../core/command-services';
import { SHELLS, completionScript, type Shell } from '../completion/completion-script';

/** `completion bash|zsh`: prints a script generated from the live command tree. */
export function registerCompletionCommand(program: Command, services: CommandServices): void {
  program
    .command('completion')
    .description('print a shell completion script (e.g. `source <(sitectl completion bash)`)')
    .addArgument(new Argument('<shell>', 'shell').choices(SHELLS))
    .action((shell: Shell) => {
      services.io.stdout.write(completionScript(program, shell));
    });
}
