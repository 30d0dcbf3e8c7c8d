// ringfence inspect: a version's manifest, metrics and clusters as tables; without --version, every version
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readModelVersion } from '../models/read-model-version.js';
import { listVersions, noVersionsError, readManifestOf } from '../models/registry.js';
import { KMeansStateSchema } from '../training/detectors/kmeans-detector.js';
import { type ModelMetrics, ModelMetricsSchema } from '../training/evaluation/evaluate-model.js';
import { FILES } from '../training/model-files.js';
import { commonOptions, defineCommand, EXIT_OK } from './cli-command.js';
import { formatMetricsSummary } from './format-metrics.js';
import { formatTable } from './format-table.js';

async function readMetrics(dir: string): Promise<ModelMetrics | null> {
  const text = await readFile(path.join(dir, FILES.metrics), 'utf8').catch(() => null);
  if (!text) return null;
  const parsed = ModelMetricsSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export const inspectCommand = defineCommand({
  name: 'inspect',
  summary: "show a version's manifest, metrics and clusters, or list a model's versions",
  options: {
    models: { schema: z.string().min(1), description: 'model root folder', placeholder: 'ROOT' },
    name: commonOptions.modelName,
    version: { schema: z.string().optional(), description: "version id, or 'latest'; omit to list every version", placeholder: 'V' },
  },
  async run(args, io) {
    const root = path.resolve(io.cwd, args.models);
    if (!args.version) {
      const versions = await listVersions(root, args.name);
      if (versions.length === 0) throw await noVersionsError(root, args.name);
      const rows: (string | number)[][] = [];
      for (const version of versions) {
        const manifest = await readManifestOf(root, args.name, version);
        const metrics = await readMetrics(path.join(root, args.name, version));
        const accounts = (manifest?.training_data as { accounts?: number } | undefined)?.accounts ?? 0;
        rows.push([
          version,
          manifest?.created_at.slice(0, 19) ?? '?',
          accounts,
          metrics ? (metrics.roc_auc['risk_score'] ?? NaN) : '-',
          metrics ? (metrics.pr_auc['risk_score'] ?? NaN) : '-',
          metrics ? `${(metrics.flagged_precision * 100).toFixed(1)}%` : '-',
        ]);
      }
      io.stdout.write(formatTable(['version', 'created', 'accounts', 'ROC-AUC', 'PR-AUC', 'flag precision'], rows));
      return EXIT_OK;
    }
    const stored = await readModelVersion(root, args.name, args.version);
    const m = stored.manifest;
    io.stdout.write(
      formatTable(
        ['field', 'value'],
        [
          ['model', `${m.name}/${m.version}`],
          ['created', m.created_at],
          ['format', m.format_version],
          ['ringfence', m.libraries['ringfence'] ?? '?'],
          ['tfjs backend', m.tfjs_backend],
          ['seed', m.seed],
          ['accounts', String((m.training_data as { accounts?: number }).accounts ?? '?')],
          ['features', m.features.length],
          ['files', `${Object.keys(m.files).length} (checksums verified)`],
        ],
      ),
    );
    const metrics = await readMetrics(stored.dir);
    if (metrics) io.stdout.write(`\n${formatMetricsSummary(metrics)}`);
    const kmeans = KMeansStateSchema.parse((stored.readJson(FILES.kmeans, z.object({ state: z.unknown() })) as { state: unknown }).state);
    io.stdout.write(
      `\n${formatTable(
        ['cluster', 'training accounts', 'small (anomalous group)'],
        kmeans.cluster_sizes.map((size, c) => [c, size, kmeans.is_small[c] ? 'yes' : '']),
      )}`,
    );
    const clusters = await readFile(path.join(stored.dir, 'report', 'clusters.csv'), 'utf8').catch(() => null);
    if (clusters) io.stdout.write(`\nclusters (report/clusters.csv):\n${clusters}`);
    return EXIT_OK;
  },
});
