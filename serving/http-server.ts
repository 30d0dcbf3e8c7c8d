// The HTTP server of the app: Node's, with request and response objects that hold from their construction the
// properties Express, its router and the service's middlewares add while handling a request.
//
// Why: Express gives each request and response its own prototype (Object.setPrototypeOf in app.handle), and V8 does
// not share the hidden classes of objects whose prototype was set that way: every property added afterwards builds
// a new hidden class for that one object (~3 us each, against ~0.1 us for a property the object already has). A
// predict request gains about fifteen such properties. Declared here, with the values they would read as anyway
// (undefined, or the prototype's value), they are only assigned later. Nothing else changes: same classes, same
// prototypes, same values.
import http from 'node:http';
import { createRequire } from 'node:module';

/**
 * The symbol under which Express's router keeps the route pattern a request matched (router/lib/symbols.js of the
 * router Express uses), or null if that module is not there: the request then gains that one property while handled.
 */
function routerMatchedRouteSymbol(): symbol | null {
  try {
    const fromExpress = createRequire(createRequire(import.meta.url).resolve('express'));
    const { matchedRoute } = fromExpress('router/lib/symbols.js') as { matchedRoute?: unknown };
    return typeof matchedRoute === 'symbol' ? matchedRoute : null;
  } catch {
    return null;
  }
}
const MATCHED_ROUTE = routerMatchedRouteSymbol();

/** Request properties added while a request is handled: Express and its router, body-parser, ours. */
type AddedRequestField =
  'res' | 'next' | 'baseUrl' | 'originalUrl' | '_parsedUrl' | 'params' | 'route' | 'body' | 'requestId' | 'apiKey' | 'routeEntry';

export class ServiceRequest extends http.IncomingMessage {
  constructor(socket: ConstructorParameters<typeof http.IncomingMessage>[0]) {
    super(socket);
    // one assignment each (a loop over the names would be slower per request)
    const fields = this as unknown as Record<AddedRequestField | '_eventsCount', unknown>;
    fields.res = undefined;
    fields.next = undefined;
    fields.baseUrl = undefined;
    fields.originalUrl = undefined;
    fields._parsedUrl = undefined;
    fields.params = undefined;
    fields.route = undefined;
    fields.body = undefined;
    fields.requestId = undefined;
    fields.apiKey = undefined;
    fields.routeEntry = undefined;
    if (MATCHED_ROUTE) (this as unknown as Record<symbol, unknown>)[MATCHED_ROUTE] = undefined;
    // EventEmitter's count of listeners, 0 on the prototype until the first listener is added
    fields._eventsCount = 0;
  }
}

// Node constructs a response with its options (highWaterMark, rejectNonStandardBodyWrites); the types list the request only
const NodeServerResponse = http.ServerResponse as unknown as new (req: ServiceRequest, options?: object) => http.ServerResponse<ServiceRequest>;

export class ServiceResponse extends NodeServerResponse {
  constructor(req: ServiceRequest, options?: object) {
    super(req, options);
    const fields = this as unknown as Record<'locals' | 'statusCode' | 'statusMessage', unknown>;
    fields.locals = undefined;
    // the prototype's values (200, undefined), which writeHead sets on the response itself
    fields.statusCode = 200;
    fields.statusMessage = undefined;
  }
}

/** http.createServer(app) as Express's app.listen makes it, with the request and response classes above. */
export function createHttpServer(app: http.RequestListener): http.Server {
  return http.createServer({ IncomingMessage: ServiceRequest, ServerResponse: ServiceResponse as unknown as typeof http.ServerResponse }, app);
}
