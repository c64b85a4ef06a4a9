import type { Hook } from '@oclif/core';
import { reportUnknownCommand } from '../unknown-command.js';

/**
 * oclif calls this when the words typed name no command (`stn agnet list`, id `agnet:list`): Station says
 * so with spaces, suggests the closest command and `stn help`, and exits 2. (@oclif/plugin-not-found is not
 * used: it prints nothing without a terminal and, on one, asks to run its guess.)
 */
const commandNotFound: Hook.CommandNotFound = async function ({ id, argv, config }) {
  reportUnknownCommand(config, id.split(':'), { json: argv?.includes('--json') ?? false });
};

export default commandNotFound;
