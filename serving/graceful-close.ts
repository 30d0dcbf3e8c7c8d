// Stopping an HTTP server without cutting a request: no new connections, the requests already sent on open
// connections answered (with `Connection: close`), then closed.
import type { Server, ServerResponse } from 'node:http';
import net from 'node:net';

/**
 * How long an idle keep-alive connection stays open once the stop has begun. A client may have written a request on
 * it just before it learnt of the stop; closing the connection at once resets that request. Within this window it
 * is answered, with `Connection: close`; a client respecting `Keep-Alive: timeout` retries anything later on a new
 * connection (and reaches another worker, or a refusal that says the service is going).
 */
export const DRAIN_IDLE_MS = 1000;

/**
 * Watches `server`'s responses from now on and returns its graceful close. `server.close()` itself closes idle
 * keep-alive connections at once (Node 19+), resetting a request just written on one; so the listening socket is
 * closed alone, every response from then on says `Connection: close` and ends its connection, and connections still
 * idle after DRAIN_IDLE_MS are closed.
 */
export function gracefulCloser(server: Server): () => Promise<void> {
  const open = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  return () => {
    closing ??= new Promise<void>((resolve, reject) => {
      // net.Server's close: stops accepting and calls back once every connection has ended
      net.Server.prototype.close.call(server, (error?: Error) => (error ? reject(error) : resolve()));
      for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false;
      setTimeout(() => server.closeIdleConnections(), DRAIN_IDLE_MS).unref();
    });
    return closing;
  };
}
