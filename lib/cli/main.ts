#!/usr/bin/env node
// Entry point of the `ctrstat` command.
import { setFlagsFromString } from 'node:v8';
import { runCli } from './run.js';

// A sweep's samples all live until it is built, so V8's allocation-site pretenuring soon moves the places that
// make them to the old generation; there the dead samples of past sweeps keep young objects alive through every
// scavenge until the next full collection. At 1 000 containers that made scavenges of 8-16 ms, against 2-6 ms
// without it (bench/profile-scale.mjs with --trace-gc). Set before any sample is made.
setFlagsFromString('--no-allocation-site-pretenuring');

// Exit explicitly: the monitor is closed by now, and nothing else should keep the command alive.
// runCli answers every failure with an exit status; it does not reject.
void runCli(process.argv.slice(2)).then((exitCode) => process.exit(exitCode));
