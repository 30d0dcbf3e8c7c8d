import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { helmetHeaders, securityHeaders } from '../../serving/security-headers.js';

/** The headers of a response, in the order they were sent, without the ones every response of the server has. */
const headersOf = (res: request.Response) =>
  (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders.flatMap((value, i, all) =>
    i % 2 === 0 && !/^(date|connection|keep-alive|content-length|content-type|etag)$/i.test(value) ? [[value, all[i + 1]]] : [],
  );

function appWith(middleware: express.RequestHandler) {
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('X-Powered-By', 'something');
    next();
  });
  app.use(middleware);
  app.get('/', (_req, res) => void res.send('ok'));
  return app;
}

describe('securityHeaders', () => {
  it('sends the same headers as helmet with the options the service uses, in the same order', async () => {
    const ours = await request(appWith(securityHeaders())).get('/');
    const helmets = await request(appWith(helmet({ contentSecurityPolicy: false }))).get('/');
    expect(ours.status).toBe(200);
    expect(headersOf(ours).length).toBeGreaterThan(10);
    expect(headersOf(ours)).toEqual(headersOf(helmets));
    expect(ours.headers['x-powered-by']).toBeUndefined();
  });

  it('takes what helmet does from helmet itself, so that other options give other headers', () => {
    const { removed, set } = helmetHeaders({ contentSecurityPolicy: false, xFrameOptions: { action: 'deny' } });
    expect(removed).toEqual(['X-Powered-By']);
    expect(set).toContainEqual(['X-Frame-Options', 'DENY']);
    expect(helmetHeaders().set).toContainEqual(['X-Frame-Options', 'SAMEORIGIN']);
    expect(helmetHeaders({}).set.map(([name]) => name)).toContain('Content-Security-Policy');
    expect(helmetHeaders().set.map(([name]) => name)).not.toContain('Content-Security-Policy');
  });
});
