// Last before a route's handler: its JSON body, read only once the key and the limits have let the request
// through (an unauthenticated client never gets a body parsed or decompressed). The body limit bounds the
// decompressed size too.
//
// The common request (plain application/json, UTF-8, a Content-Length within the limit, not compressed) is read here
// directly: its chunks, then one UTF-8 decode and JSON.parse. Every other request goes through the media-type check
// and body-parser as before. The direct path answers what body-parser answers: the same body, and for a client that
// hangs up or sends invalid JSON an error of body-parser's shape (status, type), which toProblem maps.
import express, { type Request, type RequestHandler } from 'express';
import { HttpProblem } from './http-problem.js';

/** What body-parser (json, strict: false) accepts without a charset or encoding question: the direct path's requests. */
const PLAIN_JSON = /^application\/json(?: *; *charset=utf-8)?$/i;
const DIGITS = /^\d+$/;

/** An error as body-parser passes it on: a 4xx with its type, which toProblem recognises. */
const bodyError = (status: number, message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), { status, statusCode: status, expose: true, ...fields });

/** The Content-Length of a request the direct path takes, else null. */
function plainJsonLength(req: Request, limitBytes: number): number | null {
  const { headers } = req;
  const type = headers['content-type'];
  const length = headers['content-length'];
  const encoding = headers['content-encoding'];
  if (type === undefined || length === undefined || headers['transfer-encoding'] !== undefined) return null;
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return null;
  if (!PLAIN_JSON.test(type) || !DIGITS.test(length)) return null;
  const bytes = Number(length);
  // an empty body, one over the limit, and a request whose socket no longer reads (body-parser sees it as already
  // read) are body-parser's cases
  if (bytes === 0 || bytes > limitBytes || (req as { upgrade?: boolean }).upgrade || !req.socket?.readable || (req.complete && !req.readable))
    return null;
  return bytes;
}

/** The request's body as JSON (a leading byte-order mark dropped, as body-parser's decoder does). */
function readPlainJson(req: Request, length: number, next: (error?: unknown) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const cleanup = () => {
    req.off('aborted', onAborted);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', cleanup);
  };
  function onAborted() {
    cleanup();
    req.pause();
    next(bodyError(400, 'request aborted', { code: 'ECONNABORTED', expected: length, length, received, type: 'request.aborted' }));
  }
  function onData(chunk: Buffer) {
    received += chunk.length;
    chunks.push(chunk);
  }
  function onError(error: Error) {
    cleanup();
    req.pause();
    next(Object.assign(error, { status: 400, statusCode: 400, expose: true }));
  }
  function onEnd() {
    cleanup();
    if (received !== length) {
      next(bodyError(400, 'request size did not match content length', { expected: length, length, received, type: 'request.size.invalid' }));
      return;
    }
    let text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      req.body = JSON.parse(text);
    } catch (error) {
      next(bodyError(400, (error as Error).message, { type: 'entity.parse.failed' }));
      return;
    }
    next();
  }
  req.on('aborted', onAborted);
  req.on('close', cleanup);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

export function readJsonBody(limitBytes: number): RequestHandler[] {
  const hasBody = (headers: Record<string, string | string[] | undefined>) =>
    headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  const mediaType: RequestHandler = (req, _res, next) => {
    if (hasBody(req.headers) && !req.is('application/json')) {
      return next(new HttpProblem('unsupported-media-type', `the body must be application/json, got ${req.get('content-type') ?? 'none'}`));
    }
    next();
  };
  const json = express.json({ limit: limitBytes, strict: false });
  const readBody: RequestHandler = (req, res, next) => {
    const length = plainJsonLength(req, limitBytes);
    if (length !== null) return readPlainJson(req, length, next);
    mediaType(req, res, (error?: unknown) => (error ? next(error) : json(req, res, next)));
  };
  return [readBody];
}
