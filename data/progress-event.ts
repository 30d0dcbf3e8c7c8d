// ProgressEvent: what long-running library functions report; the CLI decides how to show it.

export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  /** undefined when the total is not known in advance */
  readonly total?: number;
  /** e.g. "rows", "accounts", "epochs" */
  readonly unit?: string;
  /** short extra text, e.g. "loss 0.0123" */
  readonly detail?: string;
}
export type ProgressListener = (event: ProgressEvent) => void;
