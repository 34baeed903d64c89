/**
 * Node entry of the fake tools: `node main.mjs <kind|helm|kubectl> args...`. The bash
 * entry scripts in the directory above answer the trivial commands (and all of docker) and
 * exec this for the rest.
 */
const [tool, ...argv] = process.argv.slice(2);
if (!['kind', 'helm', 'kubectl'].includes(tool)) {
  process.stderr.write(`fake tools: unknown tool ${tool}\n`);
  process.exit(2);
}
const { main } = await import(`./${tool}.mjs`);
await main(argv);
