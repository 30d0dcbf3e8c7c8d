import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonBody } from '../../serving/read-body.js';

const LIMIT = 64 * 1024;

/** A server answering what a body reader made of the request: the body as JSON text, or the error's status and type. */
function serverWith(readers: RequestHandler[]) {
  const app = express();
  app.post('/', ...readers, (req, res) => void res.json({ body: JSON.stringify(req.body) ?? null }));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const { status, type } = error as { status?: number; type?: string };
    res.status(200).json({ status: status ?? null, type: type ?? null });
  };
  app.use(onError);
  return http.createServer(app);
}

/** Sends the body in the given pieces (each its own write, a little apart) and returns the answer. */
async function post(server: http.Server, pieces: Buffer[], headers: Record<string, string>): Promise<unknown> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const r = http.request({ port, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    r.on('error', reject);
    (async () => {
      for (const piece of pieces) {
        r.write(piece);
        await new Promise((resolveWrite) => setTimeout(resolveWrite, 2));
      }
      r.end();
    })().catch(reject);
  });
}

describe('readJsonBody', () => {
  const ours = serverWith(readJsonBody(LIMIT));
  // the plain definition: body-parser, as the service used it for every request
  const bodyParser = serverWith([express.json({ limit: LIMIT, strict: false })]);
  beforeAll(async () => {
    await new Promise<void>((resolve) => ours.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => bodyParser.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    ours.close();
    bodyParser.close();
  });

  const same = async (bytes: Buffer, cuts: number[], contentType = 'application/json') => {
    const pieces = [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length].map((end, i, all) =>
      bytes.subarray(i === 0 ? 0 : all[i - 1], end),
    );
    const headers = { 'Content-Type': contentType, 'Content-Length': String(bytes.length) };
    const answer = await post(ours, pieces, headers);
    expect(answer).toEqual(await post(bodyParser, pieces, headers));
    return answer;
  };

  it('reads what body-parser reads: JSON of any kind, a byte-order mark, non-ASCII text cut anywhere, invalid UTF-8', async () => {
    const text = JSON.stringify({ accounts: [{ account_id: 'é\u00ff😀', events: [1, 2.5, null, true, 'x'.repeat(3000)] }] });
    const cases: Buffer[] = [
      Buffer.from(text),
      Buffer.from('\ufeff' + text),
      Buffer.from('null'),
      Buffer.from('"a string"'),
      Buffer.from(' 42 '),
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]),
    ];
    for (const bytes of cases) await same(bytes, [1, 7, 8, 9, bytes.length - 2]);
    expect(await same(Buffer.from(text), [30, 31])).toEqual({ body: text });
  });

  it('answers a body that is not JSON as body-parser does, with its error type', async () => {
    for (const bad of ['{', '  ', '{"a":1}x', "{'a':1}", '\ufeff\ufeff{}']) {
      expect(await same(Buffer.from(bad), [1])).toEqual({ status: 400, type: 'entity.parse.failed' });
    }
  });

  it('leaves other media types, charsets and sizes to the plain path with the same answers', async () => {
    const json = Buffer.from('{"a":[1,2,3]}');
    for (const type of [
      'application/json; charset=UTF-8',
      'Application/JSON',
      'application/json; charset="utf-8"',
      'application/json; charset=latin1',
    ])
      await same(json, [3], type);
    const large = Buffer.from(JSON.stringify({ a: 'x'.repeat(LIMIT) }));
    expect(await same(large, [1000])).toMatchObject({ status: 413, type: 'entity.too.large' });
  });

  it('gives the same result as body-parser for any JSON value sent in any pieces', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.array(fc.nat(200), { maxLength: 4 }), async (value, cuts) => {
        await same(Buffer.from(JSON.stringify(value)), cuts);
      }),
      { numRuns: 60 },
    );
  });
});
