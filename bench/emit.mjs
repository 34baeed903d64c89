/**
 * Renders one benchmark graph for each tool: a bootstrap playbook, a Makefile, a build.ninja,
 * an Ansible playbook and a sequential bash script. Each task's command is `true`, or
 * `sleep <s>` when the node has a duration; `noop` playbooks use the built-in no-op kind instead.
 * test/bench/graphs.test.ts parses every rendering back and checks it is the same graph.
 */

/** The shell command of a node. */
export function commandOf(node) {
  return node.sleep === undefined ? 'true' : `sleep ${node.sleep}`;
}

const flow = (ids) => `[${ids.join(', ')}]`;

/**
 * A bootstrap playbook. `kind`: `shell` (a `run:` per task) or `noop` (`uses: noop`, no process).
 */
export function toPlaybook(graph, { kind = 'shell' } = {}) {
  const lines = [`name: bench-${graph.name}`, `description: generated benchmark graph (${graph.nodes.length} tasks)`, 'tasks:'];
  for (const n of graph.nodes) {
    lines.push(`  ${n.id}:`);
    if (n.needs.length) lines.push(`    needs: ${flow(n.needs)}`);
    if (kind === 'noop') lines.push('    uses: noop', '    with: {}');
    else lines.push(`    run: ${JSON.stringify(commandOf(n))}`);
  }
  return lines.join('\n') + '\n';
}

/** A GNU Makefile: one phony target per task, prerequisites = needs; `all` builds everything. */
export function toMakefile(graph) {
  const ids = graph.nodes.map((n) => n.id);
  const lines = [`.PHONY: all ${ids.join(' ')}`, `all: ${ids.join(' ')}`, ''];
  for (const n of graph.nodes) lines.push(`${n.id}:${n.needs.length ? ' ' + n.needs.join(' ') : ''}`, `\t@${commandOf(n)}`);
  return lines.join('\n') + '\n';
}

/** A build.ninja: one edge per task whose output is never created (so it always runs). */
export function toNinja(graph) {
  const lines = ['rule run', '  command = $cmd', ''];
  for (const n of graph.nodes) lines.push(`build ${n.id}: run${n.needs.length ? ' | ' + n.needs.join(' ') : ''}`, `  cmd = ${commandOf(n)}`);
  lines.push(`build all: phony ${graph.nodes.map((n) => n.id).join(' ')}`, 'default all', '');
  return lines.join('\n');
}

/**
 * An Ansible playbook (local connection). Ansible runs a play's tasks one after another, so the
 * graph is given as a topological order; each task carries its needs as a task var.
 */
export function toAnsible(graph) {
  const lines = ['- name: bench', '  hosts: localhost', '  connection: local', '  gather_facts: false', '  tasks:'];
  for (const n of graph.nodes) {
    lines.push(`    - name: ${n.id}`, `      command: ${JSON.stringify(commandOf(n))}`, `      vars: { needs: ${flow(n.needs)} }`);
  }
  return lines.join('\n') + '\n';
}

/** The seeds' way: a bash script running each step after the previous one, in topological order. */
export function toBashSequential(graph) {
  const lines = ['#!/usr/bin/env bash', 'set -euo pipefail'];
  for (const n of graph.nodes) lines.push(`${commandOf(n)}  # ${n.id}${n.needs.length ? ' needs ' + n.needs.join(',') : ''}`);
  return lines.join('\n') + '\n';
}
