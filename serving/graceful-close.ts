// Stopping an HTTP server without cutting a request: no new connections, in-flight requests answered, then closed.
import type { Server, ServerResponse } from 'node:http';

/**
 * Watches `server`'s responses from now on and returns its graceful close. `server.close()` alone leaves a
 * keep-alive connection open until its idle timeout once its last response went out (and answers further requests
 * on it), so responses written after the close starts say `Connection: close` and end their connection.
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
      server.close((error) => (error ? reject(error) : resolve()));
      for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false;
      server.closeIdleConnections();
    });
    return closing;
  };
}
