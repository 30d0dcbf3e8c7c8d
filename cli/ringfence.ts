#!/usr/bin/env node
// the `ringfence` executable: hands argv to runCli and exits with its code
import { fileURLToPath } from 'node:url';
import { largerHeapArgs, rerunWithHeap } from './heap-size.js';
import { runCli } from './run-cli.js';

const argv = process.argv.slice(2);
const heapArgs = largerHeapArgs(argv, process.execArgv, process.env);
process.exitCode = heapArgs
  ? await rerunWithHeap(heapArgs, fileURLToPath(import.meta.url), argv)
  : await runCli(argv, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });
