// Rule hits from the field: named thresholds on registry features, each worth a fixed share of evidence.
import { z } from 'zod';

export const RuleSchema = z
  .strictObject({
    code: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .describe('kebab-case rule code, reported as rule-<code>'),
    feature: z.string().describe('registry feature the rule reads'),
    above: z.number().optional().describe('the rule hits when the feature value is strictly above this'),
    below: z.number().optional().describe('or strictly below this'),
    weight: z.number().min(0).max(1).describe('evidence a hit carries, 0-1 (combined by noisy-OR)'),
    description: z.string(),
  })
  .refine((rule) => (rule.above === undefined) !== (rule.below === undefined), { message: 'a rule sets exactly one of above / below' });
export type Rule = z.infer<typeof RuleSchema>;

/** The threshold a rule compares with (what is "typical" in a reason). */
export function ruleThreshold(rule: Rule): number {
  return (rule.above ?? rule.below) as number;
}

export interface RuleHit {
  readonly rule: Rule;
  readonly value: number;
}

/** Rules that hit for one account; `valueOf` reads a feature by name in original units. */
export function findRuleHits(rules: readonly Rule[], valueOf: (feature: string) => number): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const rule of rules) {
    const value = valueOf(rule.feature);
    if ((rule.above !== undefined && value > rule.above) || (rule.below !== undefined && value < rule.below)) hits.push({ rule, value });
  }
  return hits;
}

/** Noisy-OR of independent evidence shares: 1 - Π(1 - w). */
export function combineEvidence(weights: readonly number[]): number {
  let miss = 1;
  for (const w of weights) miss *= 1 - Math.min(1, Math.max(0, w));
  return 1 - miss;
}

/** Rules whose features are not in the registry, so a config naming a feature that does not exist is refused. */
export function rulesWithUnknownFeatures(rules: readonly Rule[], featureNames: readonly string[]): Rule[] {
  const known = new Set(featureNames);
  return rules.filter((rule) => !known.has(rule.feature));
}
