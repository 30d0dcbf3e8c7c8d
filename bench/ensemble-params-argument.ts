// A bench's optional ensemble-parameters argument (JSON) → parsed parameters, or a one-line error and exit 2
import { describeCliError } from '../cli/format-error.js';
import { type EnsembleParams, EnsembleParamsSchema } from '../training/detectors/anomaly-ensemble.js';

export function ensembleParamsArgument(text: string | undefined, position: number): EnsembleParams {
  try {
    return EnsembleParamsSchema.parse(JSON.parse(text ?? '{}'));
  } catch (error) {
    const { message } = describeCliError(error, false);
    console.error(`${message.split('\n')[0]} (ensemble parameters, argument ${position}: ${text})`);
    process.exit(2);
  }
}
