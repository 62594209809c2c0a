import type { CommandArea } from '../core/command-services';
import { registerApiKeysCommands } from './apikeys.command';
import { registerAuthCommands } from './auth.command';
import { registerCompletionCommand } from './completion.command';
import { registerConfigCommands } from './config.command';
import { registerCreateCommands } from './create.command';
import { registerDeleteCommands } from './delete.command';
import { registerGetCommands } from './get.command';
import { registerMembersCommands } from './members.command';
import { registerUsersCommands } from './users.command';

/**
 * Every command area, in help order. A new area (secrets, firewall, explain,
 * deploy, mirror, events) is one `*.command.ts` file exporting a `CommandArea`
 * and one line here; help and shell completion pick it up from the tree.
 */
export const COMMAND_AREAS: readonly CommandArea[] = [
  registerAuthCommands,
  registerConfigCommands,
  registerGetCommands,
  registerCreateCommands,
  registerDeleteCommands,
  registerMembersCommands,
  registerApiKeysCommands,
  registerUsersCommands,
  registerCompletionCommand,
];
