#!/usr/bin/env node
// Entry point of the `ctrstat` command.
import { runCli } from './run.js';

// Exit explicitly: the monitor is closed by now, and nothing else should keep the command alive.
// runCli answers every failure with an exit status; it does not reject.
void runCli(process.argv.slice(2)).then((exitCode) => process.exit(exitCode));
