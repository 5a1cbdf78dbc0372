/**
 * A local stand-in for API Gateway (HTTP API, payload format 2.0): matches
 * the routes from serverless.yml and invokes the real handlers with real v2
 * events; what no route matches goes to the `$default` route's function, as
 * on AWS. Bound to 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { answerAndClose, answerJson, decodeStrict, guard, parseTarget, readBody } from "./http-guard.js";
import { lambdaContext } from "./lambda-context.js";
import { isDefaultRoute, routeKey } from "./serverless-routes.js";

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface LocalRoute {
  /** `*` with path `*`: the `$default` route, invoked for whatever no other route (nor fallback) takes. */
  method: string;
  /** API Gateway path with `{param}` placeholders. */
  path: string;
  functionName: string;
  handler: LambdaHttpHandler;
}

/** A non-API request (static pages, docs) the local stack serves beside the API. */
export type Fallback = (
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
) => boolean | Promise<boolean>;

interface CompiledRoute extends LocalRoute {
  pattern: RegExp;
  names: string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
    .replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
  return { ...route, names, pattern: new RegExp(`^${source}$`) };
}

/** Literal segments beat parameters, as in API Gateway (`/payments/complete` before `/payments/{id}`). */
function specificity(route: LocalRoute): number {
  return route.path.split("/").filter((part) => part && !part.startsWith("{")).length;
}

export function buildEvent(
  req: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
    /** The caller's address, as API Gateway gives it (`requestContext.http.sourceIp`). */
    sourceIp?: string;
  },
  route: CompiledRoute,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = parseTarget(req.url) ?? new URL("http://127.0.0.1/");
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const textual = /json|text|x-www-form-urlencoded|xml/.test(headers["content-type"] ?? "");
  const now = new Date();
  return {
    version: "2.0",
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(route.names.length ? { pathParameters } : {}),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "127.0.0.1",
      domainPrefix: "local",
      http: {
        method: req.method,
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: req.sourceIp ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: routeKey(route),
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length ? { body: textual ? req.body.toString("utf8") : req.body.toString("base64") } : {}),
    isBase64Encoded: req.body.length > 0 && !textual,
  };
}

export interface ApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** API Gateway's payload limit is 10 MB; nothing here needs more than a few KB. */
const MAX_BODY_BYTES = 1_000_000;

/** What API Gateway (HTTP API) answers itself, before any function runs. */
const GATEWAY_ANSWERS = {
  badRequest: { status: 400, message: "Bad Request" },
  notFound: { status: 404, message: "Not Found" },
  tooLarge: { status: 413, message: "Request Entity Too Large" },
  internal: { status: 500, message: "Internal Server Error" },
} as const;

function gatewayAnswer(res: ServerResponse, which: keyof typeof GATEWAY_ANSWERS): void {
  const { status, message } = GATEWAY_ANSWERS[which];
  answerJson(res, status, { message });
}

export async function startApiServer(options: {
  routes: LocalRoute[];
  port?: number;
  fallback?: Fallback;
  onError?: (error: unknown) => void;
}): Promise<ApiServer> {
  const routes = options.routes
    .filter((route) => !isDefaultRoute(route))
    .map(compile)
    .sort((a, b) => specificity(b) - specificity(a));
  const defaultSpec = options.routes.find(isDefaultRoute);
  const defaultRoute = defaultSpec ? compile(defaultSpec) : undefined;
  /** Invokes a route's function with a v2 event and sends its answer, as API Gateway does. */
  const invoke = async (
    req: IncomingMessage,
    res: ServerResponse,
    route: CompiledRoute,
    params: Record<string, string>,
    body: Buffer,
  ): Promise<void> => {
    // The socket's peer, as API Gateway reports the client's address (IPv4 without the ::ffff: prefix).
    const sourceIp = (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
    const event = buildEvent(
      { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body, sourceIp },
      route,
      params,
    );
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = (await route.handler(
        event,
        lambdaContext(route.functionName),
      )) as APIGatewayProxyStructuredResultV2;
    } catch (error) {
      options.onError?.(error);
      // What API Gateway answers when the function itself crashes.
      return gatewayAnswer(res, "internal");
    }
    if (res.destroyed) return;
    try {
      res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      res.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
    } catch (error) {
      // A response API Gateway cannot send (no object, a bad status or header) is its 500 too.
      options.onError?.(error);
      gatewayAnswer(res, "internal");
    }
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseTarget(req.url ?? "/");
    // HTTP APIs decode the path before routing: a malformed or non-UTF-8 escape (`%`, `%FF`,
    // `%E0%A4%A`, a lone surrogate's `%ED%A0%80`) is refused as 400 before any route, auth or function.
    if (!target || decodeStrict(target.pathname) === null) {
      // The body is not read: the connection is closed after the answer, so it cannot poison the next request.
      answerAndClose(req, res, 400, { message: "Bad Request" });
      return;
    }
    // What the fallbacks read (they parse `req.url` themselves): the same path the routes saw.
    req.url = `${target.pathname}${target.search}`;
    const read = await readBody(req, MAX_BODY_BYTES);
    if (read.kind === "aborted") return;
    if (read.kind === "too_large") {
      answerAndClose(req, res, 413, { message: GATEWAY_ANSWERS.tooLarge.message });
      return;
    }
    const body = read.body;
    const path = target.pathname;
    const method = req.method ?? "GET";
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of route.names.entries()) {
        const value = decodeStrict(match[i + 1] ?? "");
        if (value === null) return gatewayAnswer(res, "badRequest");
        params[name] = value;
      }
      return invoke(req, res, route, params, body);
    }
    if (options.fallback && (await options.fallback(req, res, body))) return;
    // What no route matched goes to the `$default` route's function (functions/unmatched-route.ts: the
    // JSON 405 with Allow, or 404), as on AWS; without one, API Gateway's own plain 404.
    if (defaultRoute) return invoke(req, res, defaultRoute, {}, body);
    gatewayAnswer(res, "notFound");
  };
  const server = createServer(
    guard(handle, {
      onError: options.onError,
      onFailure: (res) => gatewayAnswer(res, "internal"),
    }),
  );
  // What Node's parser refuses before any listener runs (headers past its 16 KB, a malformed request line)
  // gets a JSON body too, instead of Node's bare status line.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === "ECONNRESET") {
      socket.destroy();
      return;
    }
    const [status, message] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large"]
        : error.code === "HPE_REQUEST_TIMEOUT" || error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? [408, "Request Timeout"]
          : [400, "Bad Request"];
    const body = JSON.stringify({ message });
    socket.end(
      `HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", () => ok());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
