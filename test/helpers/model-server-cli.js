#!/usr/bin/env node
// Runs the test model server in its own process, for benchmarks and manual trials:
//
//   node test/helpers/model-server-cli.js --tool filesystem__list_directory --args '{"path":"/tmp"}' \
//        --steps 50 --latency 0 [--final "done"]
//
// Every request gets a tool call until the conversation has --steps tool turns, then the final text
// (see toolLoop in model-server.js). Prints one JSON line {"url": ...} on stdout when listening and
// stops when its stdin pipe closes (if stdin is a pipe) or on SIGTERM/SIGINT.
import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startModelServer, toolLoop } from './model-server.js';

const { values } = parseArgs({
  options: {
    tool: { type: 'string', default: 'echo' },
    args: { type: 'string', default: '{}' },
    steps: { type: 'string', default: '1' },
    latency: { type: 'string', default: '0' },
    final: { type: 'string', default: 'done' },
  },
});

const server = await startModelServer({
  script: toolLoop({
    tool: values.tool,
    args: JSON.parse(values.args),
    steps: Number(values.steps),
    finalText: values.final,
    latencyMs: Number(values.latency),
  }),
});
process.stdout.write(JSON.stringify({ url: server.url }) + '\n');

const stop = () => {
  void server.close().then(() => process.exit(0));
};
// Tied to the parent through a stdin pipe (benches spawn it so); started by hand, it runs until a signal.
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on('end', stop);
  process.stdin.resume();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
