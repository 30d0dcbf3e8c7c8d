// The training configuration (--config FILE): hub caps, policy thresholds, rules, model sizes; defaults need no file.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { EnsembleParamsSchema } from './detectors/anomaly-ensemble.js';
import { FEATURE_NAMES } from './features/feature-registry.js';
import { DEFAULT_SHARD_INPUT_MIB } from '../data/dataset-shards.js';
import { IdentityConfigSchema } from './identity/identity-index.js';
import { ScoreMappingSchema } from './scoring/calibration.js';
import { RiskPolicySchema } from './scoring/risk-policy.js';
import { RuleSchema, rulesWithUnknownFeatures } from './scoring/rules.js';
import { SupervisedParamsSchema } from './supervised/supervised-layer.js';

/** Rules from the field (issue 6): thresholds on registry features. */
// Most rules corroborate; alone they flag nobody (honest VPN users hop countries, honest experts ace a test). Three are
// patterns over many of an account's events that no honest account of the development worlds showed, and flag an
// account for review alone (weight 0.7: 0.8 x 0.7 = 56 > flag_above): three or more fast perfect tests, and a median bid
// far below or above the budget. They are the only trace of test cheats and bid abusers, whom the four detectors
// averaged away (issue 18: 2-13% of them flagged). A block still needs a second kind of evidence.
export const DEFAULT_RULES: z.input<typeof RuleSchema>[] = [
  { code: 'country-hopping', feature: 'login_country_changes', above: 3, weight: 0.15, description: 'more than 3 login-country changes' },
  { code: 'proposal-burst', feature: 'proposal_max_per_hour', above: 10, weight: 0.4, description: 'more than 10 proposals in one hour' },
  {
    code: 'fast-perfect-test',
    feature: 'test_fast_high_scores',
    above: 0,
    weight: 0.3,
    description: 'a 90+ test score in under 35% of the typical time',
  },
  {
    code: 'repeated-fast-perfect-tests',
    feature: 'test_fast_high_scores',
    above: 2,
    weight: 0.7,
    description: 'three or more 90+ test scores, each in under 35% of the typical time',
  },
  {
    code: 'payout-after-new-access',
    feature: 'payout_change_after_new_access',
    above: 0,
    weight: 0.4,
    description: 'a new bank account within 72 h of a login from a new device in a new country',
  },
  {
    code: 'impossible-travel',
    feature: 'login_max_travel_kmh',
    above: 1000,
    weight: 0.15,
    description: 'consecutive logins implying travel faster than 1000 km/h',
  },
  { code: 'lowball-bids', feature: 'bid_ratio_median', below: 0.35, weight: 0.7, description: 'median bid below 35% of the job budget' },
  { code: 'overbids', feature: 'bid_ratio_median', above: 2.5, weight: 0.7, description: 'median bid above 2.5 times the job budget' },
];

export const RiskWeightsSchema = z
  .strictObject({
    anomaly: z.number().min(0).max(1).default(0.85).describe('share of the calibrated anomaly score that enters the risk score'),
    identity: z
      .number()
      .min(0)
      .max(1)
      .default(0.97)
      .describe(
        'the evidence a ring gives each of its members (a ring is a verdict on the group; its ring score orders rings); the default 0.97 is the noisy-OR of the default anomaly and rules weights (1 - 0.15 x 0.2), the most an account outside a ring reaches, so ring members rank at or above every account outside a ring',
      ),
    rules: z.number().min(0).max(1).default(0.8),
  })
  .prefault({});

export const TrainConfigSchema = z
  .object({
    identity: IdentityConfigSchema,
    detectors: EnsembleParamsSchema,
    score_mapping: ScoreMappingSchema.prefault({}),
    policy: RiskPolicySchema.prefault({}),
    weights: RiskWeightsSchema,
    rules: z.array(RuleSchema).default(DEFAULT_RULES as z.output<typeof RuleSchema>[]),
    loading: z
      .strictObject({
        shard_input_mib: z
          .number()
          .int()
          .min(16)
          .default(DEFAULT_SHARD_INPUT_MIB)
          .describe(
            'accounts are worked through in shards of about this much input (MiB, compressed files counted 5x), one shard of events in memory at a time; a smaller folder loads at once',
          ),
      })
      .prefault({}),
    supervised: SupervisedParamsSchema.describe('the layer learnt from analyst labels (train --feedback, or the decision store)'),
    evaluation: z
      .strictObject({ holdout: z.number().min(0.05).max(0.8).default(0.3).describe('share of accounts held out for the labelled evaluation') })
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const rule of rulesWithUnknownFeatures(config.rules, FEATURE_NAMES)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', config.rules.indexOf(rule), 'feature'],
        message: `unknown feature ${JSON.stringify(rule.feature)}; known: ${FEATURE_NAMES.join(', ')}`,
      });
    }
  });
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates a JSON config file; every problem is listed with its path. */
export async function readTrainConfig(file: string | undefined): Promise<TrainConfig> {
  if (!file) return TrainConfigSchema.parse({});
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `config ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(error as Error).message})`}`,
    );
  }
  const parsed = TrainConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`config ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
