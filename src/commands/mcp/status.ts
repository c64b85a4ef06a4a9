import McpList from './list.js';

/** The original Station's `stn mcp status`: a hidden alias of `stn mcp list` (servers and their state at the last sync). */
export default class McpStatus extends McpList {
  static override hidden = true;
  static override summary = "The original Station's name of `stn mcp list`.";
  static override examples = ['<%= config.bin %> mcp status'];

  override async run(): ReturnType<McpList['run']> {
    this.hintOriginal('`stn mcp status`', '`stn mcp list`');
    return super.run();
  }
}
