#!/usr/bin/env node
// A stand-in MCP server over stdio for MCP servers that need the network (checkov and the like): it offers
// the tools named on its command line, each answering with its name and arguments.
//
//   node stand-in-mcp-server.js --name checkov checkov_get_version checkov_scan_directory ...
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const argv = process.argv.slice(2);
const nameAt = argv.indexOf('--name');
const serverName = nameAt >= 0 ? (argv[nameAt + 1] ?? 'stand-in') : 'stand-in';
const tools = argv.filter((arg, i) => arg !== '--name' && i !== nameAt + 1);

const server = new McpServer({ name: serverName, version: '1.0.0' });
for (const tool of tools) {
  server.registerTool(
    tool,
    { description: `Stand-in for ${tool}`, inputSchema: { path: z.string().optional() } },
    async (args) => ({ content: [{ type: 'text', text: `${tool} ran with ${JSON.stringify(args)}` }] }),
  );
}
await server.connect(new StdioServerTransport());
