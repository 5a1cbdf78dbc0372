import type { IncomingHttpHeaders } from "node:http";
import type { Fields } from "./body.js";

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Fields;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: string;
  segments: string[];
  handler: Handler;
}

/** True when `path` fits `pattern` ("/payments/:imp_uid"); fills `params` with the captures. */
export function matchPath(pattern: string, path: string, params: Record<string, string> = {}): boolean {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return false;
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(":")) {
      const value = decodeSegment(g);
      // Bad percent-encoding names nothing: no route, as for any unknown path.
      if (value === null) return false;
      params[w.slice(1)] = value;
    } else if (w !== g) return false;
  }
  return true;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** A first-match router: register specific paths before parametrised ones. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, pattern, segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }

  find(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string>; pattern: string } | undefined {
    for (const route of this.routes) {
      const params: Record<string, string> = {};
      if (route.method === method && matchPath(route.pattern, path, params))
        return { handler: route.handler, params, pattern: route.pattern };
    }
    return undefined;
  }

  /** Whether any route serves this path with another method (for 405-style answers). */
  hasPath(path: string): boolean {
    return this.routes.some((r) => matchPath(r.pattern, path));
  }
}
