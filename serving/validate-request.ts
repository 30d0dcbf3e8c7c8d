// safeParse a request part → typed value, or throw HttpProblem(400) with every invalid field as a JSON pointer
import type { z } from 'zod';
import { zodProblem } from './http-problem.js';

export function validateRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw zodProblem(parsed.error, what);
  return parsed.data;
}
