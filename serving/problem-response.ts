// How problems reach the client: the Express error handler, the 404 of unknown paths, and the answer to a request
// Node's parser refused before Express saw it (headers too large: 431), all application/problem+json.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpProblem, problemBody, toProblem, type ProblemSlug } from './http-problem.js';

export const notFound: RequestHandler = (_req, _res, next) => next(new HttpProblem('not-found', 'no such route'));

export function problemResponse(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.slug === 'internal-error') {
      logger.error(
        { req_id: req.requestId, err: { name: (error as Error).name, message: (error as Error).message, stack: (error as Error).stack } },
        'unhandled error',
      );
    }
    if (res.headersSent) return void res.destroy();
    for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(problem, req.requestId ?? randomUUID())));
  };
}

const PARSER_REFUSALS: Record<string, [ProblemSlug, string]> = {
  HPE_HEADER_OVERFLOW: ['headers-too-large', 'the request headers exceed the limit of the server'],
  ERR_HTTP_REQUEST_TIMEOUT: ['request-timeout', 'the request did not arrive in time'],
};

/** The server's 'clientError' listener: Node's own answers are plain text; these say the same as problem+json. */
export function answerParserRefusal(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (error.code === 'ECONNRESET' && socket.bytesWritten === 0 && !socket.readable)) return void socket.destroy();
  const [slug, detail] = PARSER_REFUSALS[error.code ?? ''] ?? ['bad-request', 'the request is not valid HTTP'];
  const problem = new HttpProblem(slug, detail);
  const body = JSON.stringify(problemBody(problem, randomUUID()));
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.status === 431 ? 'Request Header Fields Too Large' : problem.status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
