import { Flags } from '@oclif/core';
import McpRemove from './remove.js';

/** The original Station's `stn mcp delete NAME [--confirm]`: a hidden alias of `stn mcp remove`. */
export default class McpDelete extends McpRemove {
  static override hidden = true;
  static override summary = "The original Station's name of `stn mcp remove`.";
  static override examples = ['<%= config.bin %> mcp delete github --yes'];
  static override flags = {
    ...McpRemove.flags,
    confirm: Flags.boolean({ hidden: true, description: "The original's --yes.", default: false }),
  };

  override async run(): ReturnType<McpRemove['run']> {
    this.hintOriginal('`stn mcp delete`', '`stn mcp remove`');
    if ((this.flags as { confirm?: boolean }).confirm === true) {
      this.hintOriginal('--confirm', '--yes');
      this.flags = { ...this.flags, yes: true };
    }
    return super.run();
  }
}
