/**
 * A malicious server for the key transparency tests: a real HTTP proxy (node:http, loopback) between the SDK and
 * the project's server that forwards everything and lets a test rewrite paths and JSON answers, answer routes as
 * not found, and records every request body the SDK sends.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  body: string;
}

export interface ProxyHooks {
  /** The upstream path for a request path (e.g. another user's keys for the victim's). */
  path?: (method: string, path: string) => string;
  /** Answer 404 (as a server without that route does). */
  notFound?: (method: string, path: string) => boolean;
  /** Rewrites the envelope's `result` of a JSON answer (return it, changed or replaced). */
  result?: (
    method: string,
    path: string,
    result: Record<string, unknown>,
    headers: Headers,
  ) => Promise<unknown> | unknown;
}

export interface MaliciousProxy {
  url: string;
  hooks: ProxyHooks;
  requests: SeenRequest[];
  close(): Promise<void>;
}

function forwardHeaders(req: http.IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

/** Starts the proxy on 127.0.0.1 in front of `upstream` (the server's base URL). */
export async function startProxy(upstream: string): Promise<MaliciousProxy> {
  const proxy: MaliciousProxy = { url: "", hooks: {}, requests: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      try {
        const method = req.method ?? "GET";
        const body = Buffer.concat(chunks);
        const path = req.url ?? "/";
        proxy.requests.push({ method, path, body: body.toString("utf8") });
        if (proxy.hooks.notFound?.(method, path)) {
          res.writeHead(404, { "content-type": "application/json" });
          res.end(
            JSON.stringify({ message: `Route ${method}:${path} not found`, error: "Not Found", statusCode: 404 }),
          );
          return;
        }
        const headers = forwardHeaders(req);
        const target = proxy.hooks.path?.(method, path) ?? path;
        const init: RequestInit = { method, headers };
        if (body.length > 0) init.body = body;
        const answer = await fetch(`${upstream}${target}`, init);
        let out = Buffer.from(await answer.arrayBuffer());
        const type = answer.headers.get("content-type") ?? "application/octet-stream";
        if (proxy.hooks.result && type.includes("json")) {
          const envelope = JSON.parse(out.toString("utf8")) as { result?: unknown };
          if (envelope.result !== null && typeof envelope.result === "object" && !Array.isArray(envelope.result)) {
            envelope.result = await proxy.hooks.result(
              method,
              path,
              envelope.result as Record<string, unknown>,
              headers,
            );
            out = Buffer.from(JSON.stringify(envelope));
          }
        }
        res.writeHead(answer.status, { "content-type": type });
        res.end(out);
      } catch (error) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
