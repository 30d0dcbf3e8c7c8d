import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHttpServer, ServiceRequest, ServiceResponse } from '../../serving/http-server.js';
import { buildTestApp, fixtureRecords, PREDICT_KEY } from './serving-helpers.js';

const fixture = inject('fixtureModel');

/** Property names a request or response of the server holds that a plain Node one does not. */
const declaredBeyond = (ours: object, plain: object) => Object.getOwnPropertyNames(ours).filter((name) => !Object.hasOwn(plain, name));

describe('createHttpServer', () => {
  it('builds requests and responses that read as Node builds them: the declared properties hold what they would read as', () => {
    const socket = new Socket();
    const plainRequest = new http.IncomingMessage(socket);
    const request = new ServiceRequest(socket);
    const extraRequest = declaredBeyond(request, plainRequest);
    expect(extraRequest.length).toBeGreaterThan(10);
    for (const name of extraRequest)
      expect((request as unknown as Record<string, unknown>)[name]).toBe((plainRequest as unknown as Record<string, unknown>)[name]);
    const plainResponse = new http.ServerResponse(plainRequest);
    const response = new ServiceResponse(request, { highWaterMark: 1234 });
    const extraResponse = declaredBeyond(response, plainResponse);
    expect(extraResponse).toEqual(['locals', 'statusCode', 'statusMessage']);
    for (const name of extraResponse)
      expect((response as unknown as Record<string, unknown>)[name]).toBe((plainResponse as unknown as Record<string, unknown>)[name]);
    expect(response.writableHighWaterMark).toBe(1234);
    expect(Object.getPrototypeOf(request)).toBe(ServiceRequest.prototype);
    expect(request).toBeInstanceOf(http.IncomingMessage);
    expect(response).toBeInstanceOf(http.ServerResponse);
  });

  describe('serving the app', () => {
    let server: http.Server;
    const added: string[][] = [];
    beforeAll(async () => {
      const { app } = await buildTestApp(fixture);
      // what a predict request and its response gain while the app handles it: every name was declared up front
      server = createHttpServer((req, res) => {
        // symbols too: the router's matched-route symbol is one of the properties
        const before = [new Set(Reflect.ownKeys(req)), new Set(Reflect.ownKeys(res))] as const;
        res.on('close', () => {
          added.push(
            [...Reflect.ownKeys(req).filter((n) => !before[0].has(n)), ...Reflect.ownKeys(res).filter((n) => !before[1].has(n))].map(String),
          );
        });
        app(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => void server.close());

    it('answers a predict request, and the app adds no property to its request or response that was not declared', async () => {
      const body = JSON.stringify({ accounts: await fixtureRecords(fixture, 2), record: false });
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/predict`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${PREDICT_KEY}` },
        body,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { results: unknown[] }).results).toHaveLength(2);
      for (let waited = 0; added.length === 0 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(added).toEqual([[]]);
    });
  });
});
