/**
 * `bootstrap init [name]`: scaffold `<name>.yaml` in the current directory (never overwriting),
 * a small playbook that runs anywhere and shows the essentials (a var, two tasks with needs,
 * unless and undo, an output), and print what to do next.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { playbookSchemaPath } from '../playbook/schema.js';
import { styleFor } from '../reporters/style.js';
import { commandLine, type Io } from './common.js';

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The scaffold's text for a playbook name and the path of the schema as seen from the file. */
export function scaffold(name: string, schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
#
# ${name}: scaffolded by \`bootstrap init\`. Replace the tasks with yours, then:
#   bootstrap validate ${name}.yaml    check it: schema, graph, vars, expressions
#   bootstrap plan ${name}.yaml        what a run would do, changing nothing
#   bootstrap run ${name}.yaml         run it (run it again: satisfied tasks are skipped)
#   bootstrap undo ${name}.yaml        undo what the runs created, dependents first
name: ${name}
description: What this playbook sets up, in one line

vars:
  workdir:
    description: Directory to create, relative to this file
    default: ${name}-work
    pattern: ^[A-Za-z0-9._/-]+$
  greeting:
    description: Text written into the file
    default: hello from ${name}

tasks:
  make-dir:
    description: Create the work directory
    # Already there? Then the task is skipped as satisfied, and undo leaves it alone.
    unless: test -d \${{ vars.workdir }}
    run: mkdir -p \${{ vars.workdir }}
    undo: rmdir \${{ vars.workdir }}

  write-file:
    description: Write the greeting, and publish the file's path as an output
    needs: [make-dir]
    unless: test -f \${{ vars.workdir }}/greeting.txt
    run: |
      echo "\${{ vars.greeting }}" > \${{ vars.workdir }}/greeting.txt
      echo "path=$PWD/\${{ vars.workdir }}/greeting.txt" >> "$BOOTSTRAP_OUTPUT"
    outputs:
      path: { description: Absolute path of the greeting file }
    undo: rm -f \${{ vars.workdir }}/greeting.txt
`;
}

export async function initCommand(io: Io, nameArg: string | undefined): Promise<ExitCode> {
  const name = (nameArg ?? 'playbook').replace(/\.ya?ml$/, '');
  if (!NAME.test(name)) {
    throw new CliError(`invalid playbook name ${JSON.stringify(name)}`, EXIT.BAD_INPUT, 'use lowercase letters, digits and `-`, starting with a letter or digit (e.g. bootstrap init dev-env)');
  }
  const file = path.join(io.cwd, `${name}.yaml`);
  let schemaRef = path.relative(io.cwd, playbookSchemaPath()).split(path.sep).join('/');
  if (!schemaRef.startsWith('.')) schemaRef = schemaRef.startsWith('/') ? schemaRef : `./${schemaRef}`;
  try {
    fs.writeFileSync(file, scaffold(name, schemaRef), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(`${name}.yaml already exists: nothing was written`, EXIT.BAD_INPUT, `choose another name (bootstrap init ${name}-2), or remove the file first`);
    }
    throw new CliError(`cannot write ${file}: ${(e as Error).message}`, EXIT.BAD_INPUT);
  }
  const s = styleFor(io.stdout, io.env);
  const f = commandLine([`${name}.yaml`]);
  io.stdout.write(
    [
      `${s.green('Created')} ${name}.yaml ${s.dim(`(schema: ${schemaRef})`)}`,
      '',
      'Next:',
      `  ${s.bold(`bootstrap validate ${f}`)}   check it`,
      `  ${s.bold(`bootstrap plan ${f}`)}       see what a run would do`,
      `  ${s.bold(`bootstrap run ${f}`)}        run it`,
      `  ${s.bold(`bootstrap undo ${f}`)}       undo what it created`,
      '',
      `The format, every field and task kind: docs/playbooks.md. Examples: examples/.`,
      '',
    ].join('\n'),
  );
  return EXIT.OK;
}
