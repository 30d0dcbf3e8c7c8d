#!/usr/bin/env node
// the `ringfence` executable: hands argv to runCli and exits with its code
import { runCli } from './run-cli.js';

const exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = exitCode;
