// Lint rules: typescript-eslint's recommended set over the TypeScript sources; AssemblyScript
// (assembly/) uses decorators and builtins that ESLint's TypeScript parser does not model.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "build/", "dist/", "src/generated/", "assembly/", "bench/out/"] },
  js.configs.recommended,
  {
    // The playground (web/): browser pages, workers and a service worker; web/dist is its build output.
    ignores: ["web/dist/"],
  },
  {
    files: ["web/**"],
    languageOptions: {
      globals: {
        self: "readonly", caches: "readonly", fetch: "readonly", Response: "readonly", location: "readonly",
        navigator: "readonly", document: "readonly", window: "readonly", Worker: "readonly",
      },
    },
  },
  ...tseslint.configs.recommended,
  {
    // The browser fixtures: plain JavaScript modules that run in pages and workers.
    files: ["test/browser/**/*.js"],
    languageOptions: {
      globals: { Worker: "readonly", postMessage: "readonly", WorkerGlobalScope: "readonly" },
    },
  },
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", performance: "readonly", WebAssembly: "readonly",
        atob: "readonly", FinalizationRegistry: "readonly", URL: "readonly", globalThis: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
