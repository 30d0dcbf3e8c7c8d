#!/usr/bin/env node
// the `ringfence` executable: hands argv to runCli and exits with its code
import { fileURLToPath } from 'node:url';
import { largerHeapArgs, rerunWithHeap } from './heap-size.js';
import { runCli } from './run-cli.js';

const argv = process.argv.slice(2);
const heapArgs = largerHeapArgs(argv, process.execArgv, process.env);
const runHere = () => runCli(argv, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });
// a child that cannot be started (no process slots, say) leaves the command to run here with the default heap
process.exitCode = heapArgs ? await rerunWithHeap(heapArgs, fileURLToPath(import.meta.url), argv).catch(runHere) : await runHere();
