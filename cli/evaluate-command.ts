// ringfence evaluate: the benchmark protocol on a numeric table → printed table + JSON
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readNumericCsv } from '../data/read-numeric-csv.js';
import { EnsembleParamsSchema } from '../training/detectors/anomaly-ensemble.js';
import { evaluateDetectors } from '../training/evaluation/evaluate-detectors.js';
import { defineCommand, EXIT_OK } from './cli-command.js';
import { formatTable } from './format-table.js';

export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: 'benchmark every detector on a numeric table with a 0/1 label column (ROC-AUC, PR-AUC over seeds)',
  details:
    'Default protocol: fit on all rows without labels, score all rows, labels only for the metrics. --holdout 0.3: stratified 70/30 split per seed, fit on the 70%.',
  options: {
    csv: { schema: z.string().min(1), description: 'numeric CSV with a header row', placeholder: 'FILE' },
    labelColumn: { schema: z.string().min(1).default('label'), description: 'name of the 0/1 label column', placeholder: 'NAME' },
    seeds: { schema: z.coerce.number().int().min(1).max(50).default(3), description: 'seeds to average over', placeholder: 'N' },
    holdout: { schema: z.coerce.number().gt(0).lt(1).optional(), description: 'held-out share (ADBench-style protocol)', placeholder: 'SHARE' },
    json: { schema: z.string().optional(), description: 'write the result as JSON here', placeholder: 'OUT' },
  },
  async run(args, io) {
    const file = path.resolve(io.cwd, args.csv);
    const table = await readNumericCsv(file, args.labelColumn);
    const report = await evaluateDetectors(path.basename(file).replace(/\.csv$/, ''), table, {
      seeds: args.seeds,
      holdout: args.holdout ?? null,
      params: EnsembleParamsSchema.parse({}),
      onProgress: (seed) => io.stderr.write(`seed ${seed + 1}/${args.seeds}\n`),
    });
    const fmt = (m: number, s: number) => `${m.toFixed(4)} ± ${s.toFixed(4)}`;
    io.stdout.write(`${report.dataset}: ${report.rows} rows × ${report.dims} features, ${report.protocol}\n`);
    io.stdout.write(
      formatTable(
        ['detector', 'ROC-AUC', 'PR-AUC', 'fit s', 'score s'],
        Object.entries(report.detectors).map(([name, r]) => [
          name === report.default ? `${name} (default)` : name,
          fmt(r.roc_auc_mean, r.roc_auc_std),
          fmt(r.pr_auc_mean, r.pr_auc_std),
          r.fit_seconds,
          r.score_seconds,
        ]),
      ),
    );
    if (args.json) {
      const out = path.resolve(io.cwd, args.json);
      await mkdir(path.dirname(out), { recursive: true });
      await writeFile(`${out}.partial`, `${JSON.stringify(report, null, 2)}\n`);
      await rename(`${out}.partial`, out);
    }
    return EXIT_OK;
  },
});
