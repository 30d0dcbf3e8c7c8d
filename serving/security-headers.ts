// Second middleware: helmet's security headers, with the options the service has always used (no
// Content-Security-Policy). With these options helmet's headers do not depend on the request, so they are taken from
// helmet once, at start, and each response gets the same list in one loop instead of helmet's chain of a dozen
// middlewares.
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

const OPTIONS: HelmetOptions = { contentSecurityPolicy: false };

/** What helmet does to every response with these options: the headers it removes, then those it sets, in order. */
export function helmetHeaders(options: HelmetOptions = OPTIONS): { removed: string[]; set: [string, string][] } {
  const removed: string[] = [];
  const set: [string, string][] = [];
  const response = {
    removeHeader: (name: string) => void removed.push(name),
    setHeader: (name: string, value: unknown) => {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a ${typeof value}, not a string`);
      set.push([name, value]);
    },
  };
  let finished = false;
  // any other use of the request or the response throws here, at start, rather than differ from helmet later
  helmet(options)({} as never, response as never, (error?: unknown) => {
    if (error) throw error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return { removed, set };
}

export function securityHeaders(): RequestHandler {
  const { removed, set } = helmetHeaders();
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
