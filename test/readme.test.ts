// The README as a user reads it: every ```ts block is run as written (the package imported by
// name, here the built dist/ of this repository, in a new folder holding data/penguins.csv, as a
// clone would), prints what its comments show, and type-checks in strict mode against the built
// declarations; the `npx descent` commands outside "Tables as they come" (test/cli.test.ts runs
// those) run on the bundled data; and every relative link of README.md, docs/ and data/README.md
// reaches a file, and an anchor a heading. The browser snippet (```html) runs in Chromium in
// test/pack.test.ts.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TYPES_DIR, tsc, typesConfig } from "./typecheck.ts";
import { hasRelaxedSimd } from "../src/wasm.ts";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const README = readFileSync(join(root, "README.md"), "utf8");

/** A fenced block of a Markdown text, with the heading it sits under. */
interface Block {
  lang: string;
  code: string;
  /** The nearest heading above it, without its #s. */
  section: string;
}

/** The fenced blocks of `markdown`, in order (headings inside blocks are not headings). */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let section = "";
  let open: { lang: string; lines: string[]; section: string } | undefined;
  for (const line of markdown.split("\n")) {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (open !== undefined) {
      if (fence !== null && fence[1] === "") {
        blocks.push({ lang: open.lang, code: open.lines.join("\n") + "\n", section: open.section });
        open = undefined;
      } else {
        open.lines.push(line);
      }
    } else if (fence !== null) {
      open = { lang: fence[1], lines: [], section };
    } else {
      const heading = /^#{1,6}\s+(.*?)\s*$/.exec(line);
      if (heading !== null) section = heading[1];
    }
  }
  if (open !== undefined) throw new Error(`an unclosed \`\`\`${open.lang} block under "${open.section}"`);
  return blocks;
}

const blocks = fencedBlocks(README);

/** The one ```ts block under `section`. */
function snippet(section: string): string {
  const found = blocks.filter((b) => b.lang === "ts" && b.section === section);
  expect(found.map((b) => b.section), `one \`\`\`ts block under "${section}"`).toEqual([section]);
  return found[0].code;
}

/** What a snippet says it prints: the comment after each `console.log(…);` on one line. */
function promised(code: string): string[] {
  return [...code.matchAll(/console\.log\([^;]*\);\s*\/\/ (.+)$/gm)].map((m) => m[1].trimEnd());
}

/** The sections whose ```ts blocks run here; a new block elsewhere must be added with its checks. */
const SECTIONS = ["A first model", "Models", "Printing", "Data larger than memory", "Using them", "Threads and workers", "Interchange"];

let work: string;
/** Node with relaxed SIMD on every line (Node 20 has it behind a flag), as Node 22 and later run it. */
const nodeFlags = hasRelaxedSimd() ? [] : ["--experimental-wasm-relaxed-simd"];
const DIST = pathToFileURL(join(root, "dist/index.js")).href;
const TSX = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;
const CLI = join(root, "dist/cli/main.js");

beforeAll(() => {
  for (const file of ["dist/index.js", "dist/index.d.ts", "dist/cli/main.js"]) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: \`npm run build\` makes it (npm test builds first)`);
  }
  work = mkdtempSync(join(tmpdir(), "descent-readme-"));
});
afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

/** A new folder holding the bundled data, as a clone of the repository has it. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, "data"), { recursive: true });
  cpSync(join(root, "data/penguins.csv"), join(dir, "data/penguins.csv"));
  return dir;
}

/** Runs a ```ts snippet as written, "descent-ml" being this repository's built package; its stdout. */
async function runSnippet(name: string, code: string): Promise<{ dir: string; out: string }> {
  const dir = project(name);
  const rewritten = code.replace(/from "descent-ml";/g, `from ${JSON.stringify(DIST)};`);
  expect(rewritten, "the snippet imports descent-ml").not.toBe(code);
  // .mts: an ES module wherever it is, so top-level await works as in the user's ESM project.
  writeFileSync(join(dir, "snippet.mts"), rewritten);
  try {
    const { stdout } = await run(process.execPath, [...nodeFlags, "--import", TSX, "snippet.mts"], {
      cwd: dir, encoding: "utf8", timeout: 120_000, maxBuffer: 16 << 20,
    });
    return { dir, out: stdout };
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`the README's snippet under "${name}" failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

describe("the README's TypeScript snippets", () => {
  it("are the ones these tests run, one per section", () => {
    expect(blocks.filter((b) => b.lang === "ts").map((b) => b.section)).toEqual(SECTIONS);
    // Every snippet imports the package by name, as a user's program does.
    for (const section of SECTIONS) expect(snippet(section)).toMatch(/^import \{[^}]+\} from "descent-ml";$/m);
  });

  it("type-check as written, strict, against the built declarations", async () => {
    // Inside the repository, so that "descent-ml" resolves to the package itself (its dist/*.d.ts).
    const dir = mkdirTemp(join(TYPES_DIR, ".readme-"));
    try {
      const files = SECTIONS.map((section) => {
        const file = `${anchor(section)}.ts`;
        writeFileSync(join(dir, file), `// README.md, under "${section}"\n${snippet(section)}`);
        return file;
      });
      const { compilerOptions } = typesConfig();
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }));
      const { code, output } = await tsc(["-p", join(dir, "tsconfig.json")], root);
      expect(output).toBe("");
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("a first model: trains, scores, predicts, saves and loads, printing what its comments show", async () => {
    const code = snippet("A first model");
    expect(code.trim().split("\n").length, "about 20 lines").toBeLessThanOrEqual(20);
    const lines = promised(code);
    expect(lines.length).toBe(4);
    const { dir, out } = await runSnippet("first-model", code);
    expect(out.trimEnd().split("\n")).toEqual(lines);
    expect(existsSync(join(dir, "penguins-model.json"))).toBe(true);
    // The prose around it states the same accuracy: 66 of the 67 held-out penguins.
    const prose = README.slice(README.indexOf("## A first model"), README.indexOf("## Models"));
    expect(prose).toContain("66 of the 67");
    expect((66 / 67).toFixed(3)).toBe(lines[1]);
  });

  it("models: every model trains, and the summary under Printing is this network's", async () => {
    const { out } = await runSnippet("models", snippet("Models"));
    // The summary the README shows under Printing is this network's.
    const start = README.indexOf("```\nSequential(4 → 16");
    expect(start).toBeGreaterThanOrEqual(0);
    const table = README.slice(start + 4, README.indexOf("Total parameters: 167") + "Total parameters: 167".length);
    expect(table.split("\n").length).toBe(9);
    expect(out).toContain(table);
    // The last line is the closed form's reason, coefficients and intercept.
    expect(out).toMatch(/auto: 3 features ≤ 2000[\s\S]*Float64Array\(3\)/);
    expect(out.trim().split("\n").length).toBeGreaterThan(10); // one line per epoch at least
  });

  it("printing: prints what its comments say", async () => {
    const code = snippet("Printing");
    const lines = promised(code);
    expect(lines.length).toBe(4);
    const { out } = await runSnippet("printing", code);
    const printed = out.trimEnd().split("\n");
    expect(printed.slice(0, 4)).toEqual(lines);
    // Then the summary: its title, the table and the total.
    expect(printed[4]).toBe(lines[3]);
    expect(printed.at(-1)).toBe("Inputs: ?   Total parameters: ? (the first layer's inputs are X's columns, known at fit)");
  });

  it("data larger than memory: trains from a file read in batches on a 1 MiB runtime, printing what its comments show", async () => {
    const code = snippet("Data larger than memory");
    const lines = promised(code);
    expect(lines.length).toBe(2);
    const { out } = await runSnippet("batches", code);
    expect(out.trimEnd().split("\n")).toEqual(lines);
  });

  it("the kernels: runs on the best backend and frees what it made", async () => {
    const { out } = await runSnippet("kernels", snippet("Using them"));
    expect(out).toContain("liveTensors: 0, liveBytes: 0");
  });

  it("threads and workers: trains on every core and in a worker, drawing while it learns", async () => {
    const code = snippet("Threads and workers");
    // Everything it uses is defined in it.
    for (const name of ["X", "y", "draw", "signal"]) expect(code).toMatch(new RegExp(`const (\\{[^}]*\\b${name}\\b[^}]*\\}|${name}) =`));
    const { out } = await runSnippet("threads", code);
    const printed = out.trimEnd().split("\n");
    expect(printed[0]).toMatch(/^Runtime\(wasm-relaxed, \d+ threads?, .*\) 0\.\d\d$/);
    expect(printed.filter((l) => /^epoch \d+: loss \d+\.\d{3}, first bird \d+ g$/.test(l)).map((l) => l.split(":")[0]))
      .toEqual(["epoch 20", "epoch 40", "epoch 60", "epoch 80", "epoch 100"]);
    expect(printed.at(-1)).toMatch(/^Sequential\(3 → 8 → 1, loss mse, trained\) 0\.\d\d$/);
  });

  it("interchange: exports to ONNX, imports the file, predicts the same and trains on", async () => {
    const code = snippet("Interchange");
    const lines = promised(code);
    expect(lines).toEqual(["Sequential(4 → 8 → 3, loss categoricalCrossentropy, trained)", "true"]);
    const { dir, out } = await runSnippet("interchange", code);
    expect(out.trimEnd().split("\n")).toEqual(lines);
    expect(readFileSync(join(dir, "penguins.onnx")).length).toBeGreaterThan(100);
  });
});

/** mkdtemp for a prefix inside the repository. */
function mkdirTemp(prefix: string): string {
  for (let i = 0; ; i++) {
    const dir = `${prefix}${process.pid}-${Date.now()}-${i}`;
    if (!existsSync(dir)) {
      mkdirSync(dir);
      return dir;
    }
  }
}

describe("the README's command lines", () => {
  it("run on the bundled data as written (those of Tables as they come run in cli.test.ts)", async () => {
    const commands = blocks
      .filter((b) => b.lang === "sh" && b.section !== "Tables as they come")
      .flatMap((b) => b.code.split("\n"))
      .filter((line) => line.startsWith("npx descent "));
    expect(commands.length).toBe(5);
    const dir = project("cli");
    for (const command of commands) {
      // "npx descent <words> [> file]": no quoting in the README's commands.
      const [line, redirect] = command.split(/\s+>\s+/);
      const argv = line.trim().split(/\s+/).slice(2);
      let stdout: string;
      try {
        ({ stdout } = await run(process.execPath, [CLI, ...argv], { cwd: dir, encoding: "utf8", timeout: 120_000, maxBuffer: 16 << 20 }));
      } catch (err) {
        const e = err as { message: string; stderr?: string };
        throw new Error(`${command}: ${e.message}\n${e.stderr ?? ""}`);
      }
      if (redirect !== undefined) writeFileSync(join(dir, redirect.trim()), stdout);
      for (const [i, word] of argv.entries()) {
        if (word === "--out" || word === "--plot" || word === "--onnx") expect(existsSync(join(dir, argv[i + 1])), `${command}: ${argv[i + 1]}`).toBe(true);
      }
    }
    const predictions = readFileSync(join(dir, "predictions.csv"), "utf8").trimEnd().split("\n");
    expect(predictions[0]).toBe("prediction,p_Adelie,p_Chinstrap,p_Gentoo");
    expect(predictions.length).toBe(readFileSync(join(dir, "data/penguins.csv"), "utf8").trimEnd().split("\n").length);
  }, 300_000);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
function anchor(heading: string): string {
  const text = heading.replace(/`([^`]*)`/g, "$1").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, "").replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings (a repeated one gets -1, -2, … as on GitHub). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = markdown.replace(/^```[\s\S]*?^```/gm, "");
  for (const m of text.matchAll(/^#{1,6}\s+(.*?)\s*$/gm)) {
    const base = anchor(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The link targets of a Markdown text, outside code: [text](target) and ![alt](target). */
function links(markdown: string): string[] {
  const text = markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

describe("links", () => {
  const files = ["README.md", "data/README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

  it("the anchors are GitHub's", () => {
    expect(anchor("Quick start (this repository)")).toBe("quick-start-this-repository");
    expect(anchor("3. Should we minimise the least-squares loss by gradient descent?")).toBe("3-should-we-minimise-the-least-squares-loss-by-gradient-descent");
    expect(anchor("Threads and `trainInWorker`")).toBe("threads-and-traininworker");
  });

  it("the docs the README names exist and are linked from it", () => {
    for (const doc of ["docs/accuracy.md", "docs/benchmarks.md", "docs/course.md", "docs/design.md", "docs/onnx.md"]) {
      expect(files).toContain(doc);
      expect(links(README)).toContain(doc);
    }
  });

  it.each(files)("every relative link in %s reaches a file in the repository, and every anchor a heading", (file) => {
    const text = readFileSync(join(root, file), "utf8");
    const found = links(text);
    expect(found.length).toBeGreaterThan(0);
    const broken: string[] = [];
    for (const target of found) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        // Absolute URLs are the only ones allowed out of the repository: no file:// or local paths.
        if (!/^(https?|mailto):/.test(target)) broken.push(`${target}: not a web address`);
        continue;
      }
      const [path, hash] = target.split("#");
      const resolved = path === "" ? join(root, file) : join(root, dirname(file), decodeURIComponent(path));
      const inside = relative(root, resolved);
      if (inside.startsWith("..")) {
        broken.push(`${target}: outside the repository`);
        continue;
      }
      if (!existsSync(resolved)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (hash !== undefined && statSync(resolved).isFile() && resolved.endsWith(".md")) {
        if (!anchors(readFileSync(resolved, "utf8")).has(hash)) broken.push(`${target}: no heading with that anchor in ${inside}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("nothing points outside the repository, in words either", () => {
    for (const file of files) {
      const text = readFileSync(join(root, file), "utf8");
      expect(text, file).not.toMatch(/\.\.\/shared\/|team's tree|the issue's|issue #\d+/i);
    }
  });
});
