import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../../data/seeded-random.js';
import type { NumericTable } from '../../../data/read-numeric-csv.js';
import { COMBINED, DETECTOR_NAMES, EnsembleParamsSchema } from '../../../training/detectors/anomaly-ensemble.js';
import { EvaluationReportSchema, evaluateDetectors } from '../../../training/evaluation/evaluate-detectors.js';

// 380 normal rows and 20 far away: every detector should find them
function plantedTable(): NumericTable {
  const random = createSeededRandom(41);
  const values: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 400; i++) {
    const anomaly = i >= 380;
    for (let j = 0; j < 4; j++) values.push(random.normal(anomaly ? 6 : 0, 1));
    labels.push(anomaly ? 1 : 0);
  }
  return { featureNames: ['a', 'b', 'c', 'd'], values: Float64Array.from(values), labels: Uint8Array.from(labels), rowCount: 400 };
}

describe('evaluateDetectors', () => {
  const params = EnsembleParamsSchema.parse({ autoencoder: { epochs: 20 } });

  it('reports every detector and the default, each with its own fit and scoring time', async () => {
    const report = EvaluationReportSchema.parse(await evaluateDetectors('planted', plantedTable(), { seeds: 2, holdout: null, params }));
    expect(Object.keys(report.detectors)).toEqual([...DETECTOR_NAMES, COMBINED]);
    expect(report.default).toBe(COMBINED);
    expect(report.seeds).toEqual([0, 1]);
    expect([report.rows, report.dims]).toEqual([400, 4]);
    for (const name of DETECTOR_NAMES) {
      const result = report.detectors[name]!;
      expect(result.roc_auc_mean).toBeGreaterThan(0.95);
      expect(result.fit_seconds).toBeGreaterThan(0);
      expect(result.score_seconds).toBeGreaterThan(0);
    }
    // the default's times are the whole ensemble's: more than its detectors' together
    const combined = report.detectors[COMBINED]!;
    const sum = (field: 'fit_seconds' | 'score_seconds') => DETECTOR_NAMES.reduce((total, name) => total + report.detectors[name]![field], 0);
    expect(combined.fit_seconds).toBeGreaterThan(sum('fit_seconds'));
    expect(combined.score_seconds).toBeGreaterThan(sum('score_seconds'));
    // the autoencoder trains for epochs; the Mahalanobis distance is one pass and an eigen-decomposition
    expect(report.detectors['autoencoder']!.fit_seconds).toBeGreaterThan(report.detectors['mahalanobis']!.fit_seconds);
  });

  it('fits on the rest and scores the held-out share with --holdout', async () => {
    const report = await evaluateDetectors('planted', plantedTable(), { seeds: 1, holdout: 0.3, params });
    expect(report.protocol).toMatch(/^stratified holdout 0\.3/);
    expect(report.detectors[COMBINED]!.roc_auc_mean).toBeGreaterThan(0.95);
  });
});
