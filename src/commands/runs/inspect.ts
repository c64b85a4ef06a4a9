import { Flags } from '@oclif/core';
import RunsShow from './show.js';

/** The original Station's `stn runs inspect ID [-v]`: a hidden alias of `stn runs show`. */
export default class RunsInspect extends RunsShow {
  static override hidden = true;
  static override summary = "The original Station's name of `stn runs show`.";
  static override examples = ['<%= config.bin %> runs inspect 42'];
  static override flags = {
    ...RunsShow.flags,
    verbose: Flags.boolean({ char: 'v', hidden: true, description: 'Accepted; runs show always prints the trace.' }),
  };

  override async run(): ReturnType<RunsShow['run']> {
    this.hintOriginal('`stn runs inspect`', '`stn runs show`');
    return super.run();
  }
}
