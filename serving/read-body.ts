// Last before a route's handler: its JSON body, read only once the key and the limits have let the request
// through (an unauthenticated client never gets a body parsed or decompressed). The body limit bounds the
// decompressed size too.
import express, { type RequestHandler } from 'express';
import { HttpProblem } from './http-problem.js';

export function readJsonBody(limitBytes: number): RequestHandler[] {
  const hasBody = (headers: Record<string, string | string[] | undefined>) =>
    headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  const mediaType: RequestHandler = (req, _res, next) => {
    if (hasBody(req.headers) && !req.is('application/json')) {
      return next(new HttpProblem('unsupported-media-type', `the body must be application/json, got ${req.get('content-type') ?? 'none'}`));
    }
    next();
  };
  return [mediaType, express.json({ limit: limitBytes, strict: false })];
}
