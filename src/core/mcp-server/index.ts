export { agentToolNames } from './agent-tool-names.js';
export { createStationMcpServer, type StationMcpOptions } from './station-mcp-server.js';
export { mcpHttpExtension } from './http-endpoint.js';
export { startStdioServer, type StdioOptions, type StdioSession } from './stdio.js';
