// The playground (web/): `npm run web` serves it with Vite's dev server, `npm run build:web`
// writes a static site to web/dist that works from any path (relative URLs) and, after its first
// load, offline (public/sw.js caches the files listed in precache.json, written here). Both are
// cross-origin isolated, so that training runs on threads: the dev server and `vite preview` send
// the headers, and the built site's service worker adds them.
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const repo = fileURLToPath(new URL("..", import.meta.url));

/**
 * The headers that make a page cross-origin isolated, which training on threads needs (memory
 * shared with workers). The built site gets them from its service worker (public/sw.js) wherever
 * it is served; a host that sends them itself makes that reload unnecessary.
 */
export const ISOLATION_HEADERS = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

/** Writes precache.json: every file of the build, for the service worker to cache on install. */
function precacheList(): Plugin {
  return {
    name: "descent-precache-list",
    apply: "build",
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => !f.endsWith(".map")).sort();
      // The version changes whenever a file does (the hashed names), so a new build replaces the cache.
      let h = 0x811c9dc5;
      for (const c of files.join("\n")) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
      const version = (h >>> 0).toString(16);
      this.emitFile({ type: "asset", fileName: "precache.json", source: JSON.stringify({ version, files }, null, 1) });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // Relative asset URLs: the site can be served from a subdirectory (GitHub Pages, say).
  base: "./",
  resolve: {
    // As in vite.browser.config.ts: csv-parse's browser build carries the Buffer polyfill it needs.
    alias: [{ find: /^csv-parse\/sync$/, replacement: "csv-parse/browser/esm/sync" }],
  },
  server: { fs: { allow: [repo] }, headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: "es" },
  plugins: [precacheList()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    reportCompressedSize: false,
    // The library carries its WASM binaries and its training worker inlined: one large chunk is expected.
    chunkSizeWarningLimit: 2000,
  },
});
