// A small static file server for the browser tests (node:http, nothing else): serves a directory
// with the MIME types browsers insist on for module scripts and WebAssembly, optionally with extra
// headers (a Content-Security-Policy, or ISOLATION_HEADERS for threads) on every response or per
// path, on an ephemeral localhost port.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";

export const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/**
 * The headers that make a page cross-origin isolated (crossOriginIsolated === true), so that it
 * and its workers may share memory: what threads need in a browser.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export interface StaticServerOptions {
  /** Headers sent with every response, or a function of the request's path giving them. */
  headers?: Record<string, string> | ((path: string) => Record<string, string>);
}

export interface StaticServer {
  /** The origin with a trailing slash, e.g. http://127.0.0.1:41234/ */
  url: string;
  close(): Promise<void>;
}

/** Serves the files under `root` (a directory by its index.html) until close(). */
export async function serveStatic(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const extra = typeof options.headers === "function" ? options.headers(path) : options.headers ?? {};
    const send = (status: number, type: string, body?: string): void => {
      res.writeHead(status, { ...extra, "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed");
    // Browsers ask for a favicon on their own; answer it so that no 404 reaches the console.
    if (path === "/favicon.ico") return send(204, "image/x-icon");
    let file = resolve(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return send(403, "text/plain", "outside the served directory");
    void (async () => {
      try {
        let info = await stat(file);
        if (info.isDirectory()) {
          file = join(file, "index.html");
          info = await stat(file);
        }
        const type = MIME_TYPES[extname(file)] ?? "application/octet-stream";
        res.writeHead(200, { ...extra, "Content-Type": type, "Content-Length": info.size, "Cache-Control": "no-store" });
        if (req.method === "HEAD") res.end();
        else createReadStream(file).pipe(res);
      } catch {
        send(404, "text/plain", `not found: ${path}`);
      }
    })();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
