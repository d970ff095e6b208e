// Runs before every build (npm's prebuild hook): on a fresh clone, where node_modules is missing
// or older than package-lock.json, installs the locked dev dependencies with `npm ci`, so that the
// README's two commands (`npm start`, `npm test`) are all a fresh machine needs. Plain JavaScript:
// it runs before TypeScript tooling is installed.
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const installed = "node_modules/.package-lock.json";
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync("package-lock.json").mtimeMs;
if (stale) {
  console.log("descent: installing the locked dependencies (npm ci) ...");
  execSync("npm ci --no-audit --no-fund", { stdio: "inherit" });
}
