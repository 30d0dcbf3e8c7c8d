// runCli: argv → subcommand → exit code. In-process and testable; ringfence.ts only wires it to the process.
import { type CliCommand, type CliIo, EXIT_OK, EXIT_USAGE } from './cli-command.js';
import { describeCliError } from './format-error.js';
import { removeOutputsOnSignal } from './interrupt-cleanup.js';

interface CommandEntry {
  readonly summary: string;
  /** lazy, so `ringfence generate` never loads TensorFlow.js */
  load(): Promise<CliCommand>;
  /** the command stops gracefully on SIGINT/SIGTERM itself; every other command removes its unfinished output */
  readonly ownsSignals?: true;
}

// One line per subcommand; each lives in its own file `cli/<name>-command.ts`.
const COMMANDS: Record<string, CommandEntry> = {
  generate: { summary: 'write a seeded synthetic marketplace', load: async () => (await import('./generate-command.js')).generateCommand },
  validate: {
    summary: 'load a data folder and report rows, time range and problems',
    load: async () => (await import('./validate-command.js')).validateCommand,
  },
  train: { summary: 'train a new model version from a data folder', load: async () => (await import('./train-command.js')).trainCommand },
  score: {
    summary: 'score every account of a data folder with a saved version',
    load: async () => (await import('./score-command.js')).scoreCommand,
  },
  inspect: {
    summary: "show a version's manifest, metrics and clusters, or list versions",
    load: async () => (await import('./inspect-command.js')).inspectCommand,
  },
  evaluate: {
    summary: 'benchmark the detectors on a numeric table with labels',
    load: async () => (await import('./evaluate-command.js')).evaluateCommand,
  },
  serve: { summary: 'the HTTP scoring service', load: async () => (await import('./serve-command.js')).serveCommand, ownsSignals: true },
  identity: {
    summary: 'the live identity state: erase an account (right to erasure)',
    load: async () => (await import('./identity-command.js')).identityCommand,
  },
  keys: { summary: 'create or list API keys for the service', load: async () => (await import('./keys-command.js')).keysCommand },
  decisions: {
    summary: "import or export analysts' decisions (CSV or JSONL)",
    load: async () => (await import('./decisions-command.js')).decisionsCommand,
  },
  'review-queue': {
    summary: 'list the accounts whose review would teach the model most',
    load: async () => (await import('./review-queue-command.js')).reviewQueueCommand,
  },
  demo: {
    summary: 'the whole job on a synthetic marketplace: generate, train, score, report',
    load: async () => (await import('./demo-command.js')).demoCommand,
  },
};

function topLevelHelp(): string {
  const lines = [
    'ringfence — account fraud detection: raw marketplace events in, explained risk scores out',
    '',
    'Usage: ringfence <command> [options]',
    '',
    'Commands:',
  ];
  for (const [name, entry] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', "Run 'ringfence <command> --help' for a command's options.");
  return lines.join('\n') + '\n';
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topLevelHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${process.env['npm_package_version'] ?? ''}\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`error: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}.\n`);
    return EXIT_USAGE;
  }
  const stopCleanup = entry.ownsSignals ? () => undefined : removeOutputsOnSignal(io);
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    const { message, exitCode } = describeCliError(error, io.env['RINGFENCE_DEBUG'] === '1');
    io.stderr.write(`${message}\n`);
    return exitCode;
  } finally {
    stopCleanup();
  }
}
