import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Command, Option } from 'commander';
import { buildProgram } from '../program';
import { CapturedOutput, NOW } from '../testing/run-cli';
import { completionScript } from './completion-script';

const exec = promisify(execFile);

function program(): Command {
  return buildProgram({
    stdin: process.stdin,
    stdout: new CapturedOutput(),
    stderr: new CapturedOutput(),
    env: {},
    cwd: '/',
    now: () => NOW,
    fetch,
  });
}

/** Sources the bash script in a real bash and completes each line (the last word is the one being typed). */
async function completeInBash(script: string, lines: string[][]): Promise<string[]> {
  const cases = lines
    .map(
      (words) =>
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sitectl; echo "\${COMPREPLY[*]}"`,
    )
    .join('\n');
  const { stdout } = await exec('bash', ['-c', `${script}\n${cases}`]);
  return stdout.split('\n').slice(0, lines.length);
}

describe('bash completion', () => {
  const script = completionScript(program(), 'bash');

  it('completes commands, subcommands and aliases at each level', async () => {
    expect(
      await completeInBash(script, [
        ['sitectl', ''],
        ['sitectl', 'me'],
        ['sitectl', 'members', ''],
        ['sitectl', 'get', 'o'],
        ['sitectl', 'config', 'u'],
        ['sitectl', 'users', ''],
      ]),
    ).toEqual([
      'login logout whoami config get create delete members apikeys users completion',
      'members',
      'list add remove',
      'orgs organizations',
      'use-context',
      'create list issue-key',
    ]);
  });

  it('completes the options of the command being typed, global ones included', async () => {
    expect(
      await completeInBash(script, [
        ['sitectl', 'delete', 'org', '-'],
        ['sitectl', 'get', 'organizations', '--'],
        ['sitectl', 'apikeys', 'create', 'ci', '--s'],
        ['sitectl', 'users', 'issue-key', 'bob@example.com', 'ci', '--'],
      ]),
    ).toEqual([
      '-y --yes --cascade --context -h --help',
      '--output --context --help',
      '--scope',
      '--expires --scope --role --output --context --help',
    ]);
  });

  it('completes option values from their choices, skipping values already given', async () => {
    expect(
      await completeInBash(script, [
        ['sitectl', 'members', 'add', 'acme', 'bob', '--role', ''],
        ['sitectl', 'get', 'orgs', '-o', 'y'],
        ['sitectl', '--context', 'get', 'get', ''],
        ['sitectl', 'completion', ''],
      ]),
    ).toEqual([
      'owner developer viewer',
      'yaml',
      'orgs organizations projects sites site',
      'bash zsh',
    ]);
  });

  it('completes file names after --compose-file', async () => {
    const [files] = await completeInBash(script, [
      ['sitectl', 'create', 'site', 'a/b/c', '--compose-file', __filename.slice(0, -8)],
    ]);
    expect(files?.split(' ')).toContain(__filename);
  });

  it('follows the command tree: a command added to the program is completed without other changes', async () => {
    const tree = program();
    tree
      .command('secrets')
      .description("manage secrets: values aren't shown")
      .command('set')
      .addOption(new Option('--from-file <f>', 'read the value from a file'))
      .addOption(new Option('--level <l>', 'level').choices(['organization', 'project', 'site']));
    const extended = completionScript(tree, 'bash');
    expect(
      await completeInBash(extended, [
        ['sitectl', 'sec'],
        ['sitectl', 'secrets', ''],
        ['sitectl', 'secrets', 'set', '--level', ''],
      ]),
    ).toEqual(['secrets', 'set', 'organization project site']);
  });
});

describe('zsh completion', () => {
  const script = completionScript(program(), 'zsh');

  it('is a compdef function with a described entry for every command and option', () => {
    expect(script.startsWith('#compdef sitectl\n')).toBe(true);
    expect(script).toContain("'members add')");
    expect(script).toContain("'get orgs'|'get organizations')");
    expect(script).toContain(
      "'add:grant USER a role on PATH (replaces a direct grant they already have there)'",
    );
    expect(script).toContain("'--cascade:also delete its projects and sites (owners only)'");
    expect(script).toContain(
      "'members add|--role') __sitectl_values=('owner' 'developer' 'viewer') ;;",
    );
    expect(script).toContain("'create site|--compose-file') __sitectl_values=('@file') ;;");
    expect(script).toContain('compdef _sitectl sitectl');
  });

  it('quotes descriptions safely and escapes colons in names', () => {
    const tree = new Command('sitectl');
    tree.command('a:b').description("it's: odd");
    const text = completionScript(tree, 'zsh');
    expect(text).toContain(`'a\\:b:it'\\''s: odd'`);
  });
});
