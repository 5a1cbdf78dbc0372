/**
 * A local stand-in for API Gateway (HTTP API, payload format 2.0): matches
 * the routes from serverless.yml and invokes the real handlers with real v2
 * events. Bound to 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { lambdaContext } from "./lambda-context.js";

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export interface LocalRoute {
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
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer },
  route: CompiledRoute,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url, "http://127.0.0.1");
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
    routeKey: `${route.method} ${route.path}`,
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
        sourceIp: "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
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

export async function startApiServer(options: {
  routes: LocalRoute[];
  port?: number;
  fallback?: Fallback;
  onError?: (error: unknown) => void;
}): Promise<ApiServer> {
  const routes = options.routes.map(compile).sort((a, b) => specificity(b) - specificity(a));
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      // API Gateway's payload limit is 10 MB; nothing here needs more than a few KB.
      if (size > 1_000_000) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const method = req.method ?? "GET";
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(
        route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]),
      );
      const event = buildEvent({ method, url: req.url ?? "/", headers: req.headers, body }, route, params);
      try {
        const result = (await route.handler(
          event,
          lambdaContext(route.functionName),
        )) as APIGatewayProxyStructuredResultV2;
        res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
        res.end(result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? ""));
      } catch (error) {
        options.onError?.(error);
        // What API Gateway answers when the function itself crashes.
        res.writeHead(500, { "content-type": "application/json" }).end('{"message":"Internal Server Error"}');
      }
      return;
    }
    if (options.fallback && (await options.fallback(req, res, body))) return;
    res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
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
