// The feature table of training/features/README.md, rendered from the registry (a test keeps the two equal).
import { FEATURES } from './feature-registry.js';

export function renderFeatureTable(): string {
  const rows = FEATURES.map(
    (f, i) => `| ${i} | \`${f.name}\` | ${f.family} | ${f.unit} | ${f.description} | ${f.neutral} | ${f.isLogScaled ? 'log1p' : ''} |`,
  );
  return ['| # | feature | family | unit | meaning | no events | model input |', '|---:|---|---|---|---|---:|---|', ...rows].join('\n');
}
