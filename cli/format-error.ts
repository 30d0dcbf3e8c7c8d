// Any thrown value → one paragraph for the terminal and an exit code; stack traces only with RINGFENCE_DEBUG=1.
import { z } from 'zod';
import { CliUsageError, EXIT_FAILURE, EXIT_USAGE } from './cli-command.js';

export function describeCliError(error: unknown, isDebug: boolean): { message: string; exitCode: number } {
  if (error instanceof CliUsageError) return { message: `error: ${error.message}`, exitCode: EXIT_USAGE };
  if (error instanceof z.ZodError) {
    const issues = error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    return { message: `error: invalid input: ${issues}`, exitCode: EXIT_FAILURE };
  }
  if (error instanceof Error) {
    // Domain errors (DataFileError, ModelIntegrityError, ...) carry a complete message that names file, line and field;
    // every error starts with the same `error: `, and the error's class shows only in debug output
    const isKnownDomainError = error.name !== 'Error' && error.name !== 'TypeError' && error.name !== 'RangeError';
    const stack = isDebug && error.stack ? `\n${error.stack}` : '';
    const hint = isKnownDomainError || isDebug ? '' : '\n(set RINGFENCE_DEBUG=1 to see where it happened)';
    return { message: `error: ${error.message}${stack}${hint}`, exitCode: EXIT_FAILURE };
  }
  return { message: `error: ${String(error)}`, exitCode: EXIT_FAILURE };
}
