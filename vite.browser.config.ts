// The browser build (`npm run build:browser`): one self-contained ES module, dist/browser/descent.js,
// that a plain <script type="module"> page, a module worker or a bundler loads with no option,
// plugin or copied file. The WASM binaries are already inlined (src/generated/wasm.ts), so there
// is nothing to fetch. package.json "exports" gives it to bundlers under the "browser" condition.
import { defineConfig } from "vite";

export default defineConfig({
  // A library build of src/: no index.html, no public directory, no config of the caller's.
  publicDir: false,
  resolve: {
    // csv-parse's ESM entry (lib/) uses Node's global Buffer at load time; its browser build
    // carries the small Buffer polyfill it needs. Same API (src/data/csv.ts imports parse).
    alias: [{ find: /^csv-parse\/sync$/, replacement: "csv-parse/browser/esm/sync" }],
  },
  build: {
    outDir: "dist/browser",
    emptyOutDir: true,
    // Top-level await is not used; ES2022 covers class fields and private methods as written.
    target: "es2022",
    minify: true,
    // No source map: the package ships without sources, and a map of this file would mostly
    // repeat the inlined WASM and worker.
    sourcemap: false,
    reportCompressedSize: false,
    lib: { entry: "src/index.ts", formats: ["es"], fileName: () => "descent.js" },
  },
});
