// ringfence generate: a seeded synthetic marketplace in the input contract, with labels and the true rings
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { generateMarketplace } from '../data/synthetic/generate-marketplace.js';
import { DEFAULT_WORLD, resolveWorld, WORLD_PRESETS } from '../data/synthetic/world-config.js';
import { CliUsageError, commonOptions, defineCommand, EXIT_OK, integerOption } from './cli-command.js';
import { createProgressReporter } from './progress.js';

export const generateCommand = defineCommand({
  name: 'generate',
  summary: 'write a seeded synthetic marketplace (five input tables + labels + true rings)',
  details:
    'The same --accounts, --seed, --world and --fraud-rate always give byte-identical files. See data/README.md for the worlds and their rates.',
  options: {
    accounts: integerOption({ min: 10, max: 20_000_000, description: 'number of accounts', placeholder: 'N' }),
    seed: commonOptions.seed,
    out: { schema: z.string().min(1), description: 'output folder (must not exist or be empty)', placeholder: 'DIR' },
    world: {
      schema: z.string().min(1).default(DEFAULT_WORLD),
      description: `world preset (${Object.keys(WORLD_PRESETS).join(', ')}) or a JSON world file`,
      placeholder: 'FILE|PRESET',
    },
    fraudRate: {
      schema: z.coerce.number().min(0).max(0.5).optional(),
      description: "share of fraudulent accounts (default: the world's, 0.05 in the presets)",
      placeholder: 'R',
    },
    force: { schema: z.boolean().default(false), description: 'replace a non-empty output folder' },
  },
  async run(args, io) {
    const out = path.resolve(io.cwd, args.out);
    const existing = await stat(out).catch(() => null);
    if (existing && !existing.isDirectory() && !args.force) {
      throw new CliUsageError(
        `--out ${out} is a file, not a folder: choose a folder that does not exist or is empty, or pass --force to replace the file`,
      );
    }
    const world = await resolveWorld(args.world, io.cwd);
    if (args.force) await rm(out, { recursive: true, force: true });
    const progress = createProgressReporter(io);
    const started = Date.now();
    const summary = await generateMarketplace(out, {
      accounts: args.accounts,
      seed: args.seed,
      world,
      fraudRate: args.fraudRate,
      onProgress: progress,
    });
    progress.finish();
    const events = (summary.rows['logins'] ?? 0) + (summary.rows['proposals'] ?? 0) + (summary.rows['tests'] ?? 0) + (summary.rows['payouts'] ?? 0);
    const fraud = Object.values(summary.labelMix).reduce((a, b) => a + b, 0);
    io.stderr.write(
      `label mix: ${fraud} fraud of ${summary.accounts} (${Object.entries(summary.labelMix)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}); ${summary.rings} true rings\n`,
    );
    io.stderr.write(
      `world ${summary.world}: honest accounts in groups ${
        Object.entries(summary.honestMix)
          .sort()
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }\n`,
    );
    io.stdout.write(`generated ${summary.accounts} accounts, ${events} events in ${((Date.now() - started) / 1000).toFixed(1)}s → ${out}\n`);
    return EXIT_OK;
  },
});
