// defineCommand: a subcommand's options as zod schemas → parsed, typed arguments, generated --help, exit codes.
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface OptionSpec {
  readonly schema: z.ZodType;
  readonly description: string;
  /** shown in --help instead of the option name, e.g. DIR */
  readonly placeholder?: string;
  readonly short?: string;
}

type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]: z.output<O[K]['schema']> };

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** returns the exit code */
  run(argv: readonly string[], io: CliIo): Promise<number>;
  help(): string;
}

/** A usage error: bad or missing arguments. Exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

function isBooleanSchema(schema: z.ZodType): boolean {
  let inner: z.ZodType = schema;
  // unwrap optional/default so `z.boolean().default(false)` is a flag
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap() as z.ZodType;
  return inner instanceof z.ZodBoolean;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `(required)`, or the default the schema fills in, for --help; nothing for flags or when the description says it. */
function defaultNote(spec: OptionSpec): string {
  const fallback = spec.schema.safeParse(undefined);
  if (!fallback.success) return ' (required)';
  const value: unknown = fallback.data;
  if (value === undefined || typeof value === 'boolean' || /\bdefault\b/.test(spec.description)) return '';
  return ` (default: ${String(value)})`;
}

/**
 * `--accounts -5` → `--accounts=-5`: parseArgs takes a value starting with a dash for another option and reports
 * "argument is ambiguous"; joined, the value reaches the option's schema, which says what is expected.
 */
function withNegativeNumbersJoined(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** An integer option whose refusals say what is expected ("an integer of at least 10"); --help shows the minimum. */
export function integerOption(spec: {
  min: number;
  max: number;
  default?: number;
  description: string;
  placeholder?: string;
}): OptionSpec & { schema: z.ZodType<number> } {
  const expected = `expected an integer of at least ${spec.min}`;
  const integer = z.coerce
    .number({ error: expected })
    .int({ error: expected })
    .min(spec.min, { error: expected })
    .max(spec.max, { error: `expected an integer of at most ${spec.max}` });
  return {
    schema: spec.default === undefined ? integer : integer.default(spec.default),
    description: `${spec.description}, an integer of at least ${spec.min}`,
    ...(spec.placeholder ? { placeholder: spec.placeholder } : {}),
  };
}

export function defineCommand<O extends Record<string, OptionSpec>>(definition: {
  name: string;
  summary: string;
  /** extra paragraphs for --help */
  details?: string;
  options: O;
  /** one argument after the options (e.g. FILE), required when declared; run receives it as its third argument */
  operand?: { readonly placeholder: string; readonly description: string };
  run(args: OptionValues<O>, io: CliIo, operand: string): Promise<number>;
}): CliCommand {
  const optionEntries = Object.entries(definition.options);
  const help = () => {
    const lines = [`ringfence ${definition.name} — ${definition.summary}`, '', 'Options:'];
    for (const [key, spec] of optionEntries) {
      const flag = `--${kebab(key)}${isBooleanSchema(spec.schema) ? '' : ` ${spec.placeholder ?? 'VALUE'}`}`;
      const shortFlag = spec.short ? `-${spec.short}, ` : '';
      lines.push(`  ${(shortFlag + flag).padEnd(30)} ${spec.description}${defaultNote(spec)}`);
    }
    lines.push(`  ${'-h, --help'.padEnd(30)} show this help`);
    if (definition.operand)
      lines.push('', 'Arguments:', `  ${definition.operand.placeholder.padEnd(30)} ${definition.operand.description} (required)`);
    if (definition.details) lines.push('', definition.details);
    return lines.join('\n') + '\n';
  };
  return {
    name: definition.name,
    summary: definition.summary,
    help,
    async run(argv, io) {
      const parseOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
      for (const [key, spec] of optionEntries) {
        parseOptions[kebab(key)] = { type: isBooleanSchema(spec.schema) ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}) };
      }
      let values: Record<string, string | boolean | undefined>;
      let positionals: string[];
      try {
        ({ values, positionals } = parseArgs({
          args: withNegativeNumbersJoined(argv, parseOptions),
          options: parseOptions,
          strict: true,
          allowPositionals: definition.operand !== undefined,
        }) as {
          values: Record<string, string | boolean | undefined>;
          positionals: string[];
        });
      } catch (error) {
        throw new CliUsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}. See 'ringfence ${definition.name} --help'.`);
      }
      if (values['help']) {
        io.stdout.write(help());
        return EXIT_OK;
      }
      const shape: Record<string, z.ZodType> = {};
      const raw: Record<string, unknown> = {};
      for (const [key, spec] of optionEntries) {
        shape[key] = spec.schema;
        raw[key] = values[kebab(key)];
      }
      const parsed = z.object(shape).safeParse(raw);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => {
          const key = String(issue.path[0] ?? '');
          const given = raw[key];
          const what = given === undefined ? 'is required' : `got ${JSON.stringify(given)}: ${issue.message}`;
          return `--${kebab(key)} ${given === undefined && issue.code === 'invalid_type' ? what : what}`;
        });
        throw new CliUsageError(
          `invalid arguments for 'ringfence ${definition.name}': ${problems.join('; ')}. See 'ringfence ${definition.name} --help'.`,
        );
      }
      const operand = definition.operand;
      if (operand && positionals.length !== 1) {
        const got = positionals.length === 0 ? 'none was given' : `got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`;
        throw new CliUsageError(
          `'ringfence ${definition.name}' takes one ${operand.placeholder} (${got}). See 'ringfence ${definition.name} --help'.`,
        );
      }
      return definition.run(parsed.data as OptionValues<O>, io, positionals[0] ?? '');
    },
  };
}

/** Common option schemas, so every command spells them the same way. */
export const commonOptions = {
  seed: integerOption({ min: 0, max: 2 ** 31 - 1, default: 42, description: 'random seed', placeholder: 'S' }),
  modelName: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
      .default('default'),
    description: 'model name',
    placeholder: 'NAME',
  },
  secretFile: {
    schema: z.string().optional(),
    description:
      "file holding the deployment's identifier hashing secret (RINGFENCE_HASH_SECRET_FILE; default ROOT/.hash-secret, which the first train creates)",
    placeholder: 'FILE',
  },
} satisfies Record<string, OptionSpec>;

/**
 * A command made of subcommands (`ringfence keys create|list|revoke`): the first argument picks one, which gets the
 * rest; `--help` prints the group's help; anything else is a usage error naming the subcommands.
 */
export function defineCommandGroup(definition: {
  name: string;
  summary: string;
  help: () => string;
  subcommands: Record<string, CliCommand>;
}): CliCommand {
  const names = Object.keys(definition.subcommands);
  const choices = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');
  return {
    name: definition.name,
    summary: definition.summary,
    help: definition.help,
    async run(argv, io) {
      const [sub, ...rest] = argv;
      const command = sub !== undefined && Object.hasOwn(definition.subcommands, sub) ? definition.subcommands[sub] : undefined;
      if (command) return command.run(rest, io);
      if (sub === '--help' || sub === '-h') {
        io.stdout.write(definition.help());
        return EXIT_OK;
      }
      throw new CliUsageError(`'ringfence ${definition.name}' needs a subcommand: ${choices}`);
    },
  };
}
