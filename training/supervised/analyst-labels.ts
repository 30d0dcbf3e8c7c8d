// The labels the supervised layer learns from: a feedback file (every account must be known) or the decisions of the model's store.
import { assertFeedbackAccountsKnown, readFeedbackCsv } from '../../data/decision-files.js';
import { accountLabelsFromDecisions, type Decision } from '../../data/decisions.js';
import type { AnalystLabel } from './train-supervised-layer.js';

/** Labelled accounts outside the data named one by one in the note before the rest are counted. */
const MAX_LISTED_UNKNOWN = 10;

/** Where training's labels come from: a feedback CSV, or decisions (from the decision store). */
export type LabelSource = { readonly feedbackFile: string } | { readonly decisions: readonly Decision[]; readonly description: string };

export interface AnalystLabels {
  readonly labels: Map<string, AnalystLabel>;
  /** one line for the training log: where the labels came from and what was left out, and why */
  readonly note: string;
}

/**
 * Labels of the accounts in `accountIds`. A feedback file naming an unknown account is refused with the lines;
 * decisions about accounts that are not in this data (the store also holds accounts seen live) are named in the note
 * (the first ones by id, the rest counted), never left out unsaid.
 */
export async function readAnalystLabels(source: LabelSource, accountIds: readonly string[]): Promise<AnalystLabels> {
  const known = new Set(accountIds);
  if ('feedbackFile' in source) {
    const rows = await readFeedbackCsv(source.feedbackFile);
    assertFeedbackAccountsKnown(source.feedbackFile, rows, (id) => known.has(id));
    const labels = new Map(rows.map((row) => [row.account_id, { label: row.label, kind: row.kind ?? '' }] as const));
    return { labels, note: `${labels.size} labels from ${source.feedbackFile}` };
  }
  const all = accountLabelsFromDecisions(source.decisions);
  const labels = new Map([...all].filter(([id]) => known.has(id)));
  const elsewhere = [...all.keys()].filter((id) => !known.has(id));
  const listed =
    elsewhere.slice(0, MAX_LISTED_UNKNOWN).join(', ') +
    (elsewhere.length > MAX_LISTED_UNKNOWN ? `, ... and ${elsewhere.length - MAX_LISTED_UNKNOWN} more` : '');
  return {
    labels,
    note:
      `${labels.size} labels from ${source.decisions.length} decisions in ${source.description}` +
      (elsewhere.length > 0
        ? `; ${elsewhere.length} labelled account${elsewhere.length === 1 ? ' is' : 's are'} not in this data and not used: ${listed}`
        : ''),
  };
}
