// `npm run build` (and so `npm start`, `npm test`, `npm run bench`): runs each build step only
// when something it reads has changed since it last succeeded, so that an unchanged checkout
// spends no time building. A step's inputs are the folders and files listed below, plus every
// file its npm script names (scripts/generate.ts, asconfig.json, tsconfig.build.json, …) and
// what those import or extend, found by reading them; a step's own outputs are never its inputs.
// Their contents are hashed, with the script's text, and compared with the stamp the step left
// in node_modules/.cache/descent-build/ when it last succeeded; outputs that are missing or were
// changed since also rebuild. Plain JavaScript on Node's own modules: it runs before anything is
// installed, and first installs the locked dependencies when needed (scripts/ensure-deps.mjs).
//
//   node scripts/build.mjs                  every step that is out of date
//   node scripts/build.mjs wasm worker      only these steps (when out of date)
//   node scripts/build.mjs --force          every step, whatever the stamps say
//   node scripts/build.mjs --check          says what is out of date and why; exits 1 if anything is
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * The steps, in order: each runs an npm script. `inputs` and `outputs` are paths relative to the
 * package, a trailing "/" for a whole folder; a leading "!" leaves a path out.
 */
export const STEPS = [
  {
    // The WASM builds, inlined into src/generated/wasm.ts, and the generated exports and functions.
    name: "wasm", script: "build:wasm",
    inputs: ["assembly/", "asconfig.json", "package-lock.json"],
    outputs: ["assembly/index.ts", "src/generated/activations.ts", "src/generated/wasm.ts"],
  },
  {
    // The library bundled for trainInWorker's worker, as a string in src/generated/worker-source.ts.
    name: "worker", script: "build:worker",
    inputs: ["src/", "package-lock.json"],
    outputs: ["src/generated/worker-source.ts"],
  },
  {
    name: "ts", script: "build:ts",
    inputs: ["src/", "package-lock.json"],
    outputs: ["dist/", "!dist/browser/"],
  },
  {
    name: "browser", script: "build:browser",
    inputs: ["src/", "package-lock.json"],
    outputs: ["dist/browser/"],
  },
];

const STAMPS = "node_modules/.cache/descent-build";

/** Files under `root` that the path specs select, sorted, as paths relative to root with "/". */
function select(root, specs) {
  const excluded = specs.filter((s) => s.startsWith("!")).map((s) => s.slice(1));
  const out = new Set();
  const visit = (rel) => {
    if (excluded.some((e) => (e.endsWith("/") ? rel.startsWith(e) || `${rel}/` === e : rel === e))) return;
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs)) visit(rel === "" ? name : `${rel.replace(/\/$/, "")}/${name}`);
    } else out.add(rel);
  };
  for (const s of specs) if (!s.startsWith("!")) visit(s.replace(/\/$/, ""));
  return [...out].sort();
}

/** Relative module specifiers a source file imports, and the configuration a JSON file extends. */
function references(text, file) {
  if (file.endsWith(".json")) {
    const extended = /"extends"\s*:\s*"(\.[^"]+)"/.exec(text)?.[1];
    return extended === undefined ? [] : [extended];
  }
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.\.?\/[^"']+)["']/g)].map((m) => m[1]);
}

/** The file a relative specifier names: as written, or with the extensions TypeScript and AssemblyScript add. */
function resolveReference(root, from, spec) {
  const base = join(dirname(join(root, from)), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.json`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(root, candidate).split("\\").join("/");
  }
  return undefined;
}

/**
 * Everything a step reads: its listed inputs, the files its script names, and what those import
 * or extend (transitively), less the step's own outputs.
 */
export function inputsOf(root, step, scripts) {
  const outputs = new Set(select(root, step.outputs));
  const files = new Set(select(root, step.inputs).filter((f) => !outputs.has(f)));
  const command = scripts[step.script] ?? "";
  const queue = command.split(/[\s"'=]+/).filter((t) => /^[\w./-]+\.(ts|mts|js|mjs|json)$/.test(t) && existsSync(join(root, t)));
  const seen = new Set();
  while (queue.length > 0) {
    const file = queue.pop().replace(/^\.\//, "");
    if (seen.has(file) || outputs.has(file)) continue;
    seen.add(file);
    files.add(file);
    for (const spec of references(readFileSync(join(root, file), "utf8"), file)) {
      const target = resolveReference(root, file, spec);
      if (target !== undefined && !target.startsWith("node_modules/")) queue.push(target);
    }
  }
  return [...files].sort();
}

/** A hash per file. */
function hashes(root, files) {
  return Object.fromEntries(files.map((f) => [f, createHash("sha256").update(readFileSync(join(root, f))).digest("hex")]));
}

/** The paths whose hashes differ between two maps (added, removed or changed), sorted. */
function changed(before, after) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

/** Why a step must run, or undefined when it is up to date. */
function staleness(root, step, scripts) {
  const stampFile = join(root, STAMPS, `${step.name}.json`);
  const command = scripts[step.script];
  if (command === undefined) throw new Error(`descent: build: package.json has no script "${step.script}" for the ${step.name} step`);
  const inputs = hashes(root, inputsOf(root, step, scripts));
  const current = { command, inputs };
  if (!existsSync(stampFile)) return { why: "never built here", current };
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  } catch {
    return { why: "its stamp is unreadable", current };
  }
  if (stamp.command !== command) return { why: `its script changed (npm run ${step.script})`, current };
  const inputChanges = changed(stamp.inputs ?? {}, inputs);
  if (inputChanges.length > 0) return { why: `changed: ${list(inputChanges)}`, current };
  const outputs = select(root, step.outputs);
  if (outputs.length === 0) return { why: "its outputs are missing", current };
  const outputChanges = changed(stamp.outputs ?? {}, hashes(root, outputs));
  if (outputChanges.length > 0) return { why: `its outputs changed since it ran: ${list(outputChanges)}`, current };
  return undefined;
}

function list(files) {
  return files.length <= 3 ? files.join(", ") : `${files.slice(0, 3).join(", ")} and ${files.length - 3} more`;
}

/**
 * Brings the steps up to date, in order; with `force`, runs them all. Returns what ran and why.
 * `run` runs an npm script (tests replace it). Stops at the first step that fails.
 */
export function build({ root, steps = STEPS, only, force = false, check = false, log = console.log, run = runScript }) {
  const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts ?? {};
  const report = [];
  for (const step of steps) {
    if (only !== undefined && only.length > 0 && !only.includes(step.name)) continue;
    const stale = force ? { why: "forced", current: undefined } : staleness(root, step, scripts);
    if (stale === undefined) {
      report.push({ step: step.name, ran: false });
      continue;
    }
    report.push({ step: step.name, ran: !check, why: stale.why });
    log(`descent: build ${step.name}${check ? " is out of date" : ""}: ${stale.why}`);
    if (check) continue;
    const stampFile = join(root, STAMPS, `${step.name}.json`);
    // A step that fails half-way leaves no stamp, so the next build runs it again.
    rmSync(stampFile, { force: true });
    const status = run(step.script, root);
    if (status !== 0) return { ok: false, failed: step.name, report };
    // The inputs as they were read for the decision, unless forced: a file edited during the
    // step then counts as changed next time.
    const current = stale.current ?? { command: scripts[step.script], inputs: hashes(root, inputsOf(root, step, scripts)) };
    mkdirSync(dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, `${JSON.stringify({ ...current, outputs: hashes(root, select(root, step.outputs)) }, null, 1)}\n`);
  }
  if (!report.some((r) => r.ran || r.why !== undefined)) log(`descent: build up to date (${report.map((r) => r.step).join(", ")})`);
  return { ok: true, report };
}

/** `npm run <script>` in root, its output shown; the exit status. */
export function runScript(script, root) {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["run", "--silent", script], { cwd: root, stdio: "inherit", shell: process.platform === "win32" });
  return result.status ?? 1;
}

if (process.argv[1] !== undefined && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  process.chdir(root);
  const args = process.argv.slice(2);
  const known = new Set(STEPS.map((s) => s.name));
  const unknown = args.filter((a) => !a.startsWith("--") && !known.has(a));
  const options = args.filter((a) => a.startsWith("--") && a !== "--force" && a !== "--check");
  if (unknown.length > 0 || options.length > 0) {
    console.error(`usage: node scripts/build.mjs [${[...known].join("|")} …] [--force] [--check]`);
    process.exit(2);
  }
  const check = args.includes("--check");
  // A fresh clone has no dependencies yet: install the locked ones first (never for --check).
  if (!check) await import("./ensure-deps.mjs");
  const result = build({ root, only: args.filter((a) => known.has(a)), force: args.includes("--force"), check });
  if (!result.ok) process.exit(1);
  if (check && result.report.some((r) => r.why !== undefined)) process.exit(1);
}
