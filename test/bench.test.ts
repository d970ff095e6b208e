// The benchmark suite's own checks, none of them timed: the hand-assembled baseline module
// validates and computes what it should, the targets evaluate from a made-up result set (and say
// what a miss would take), the stored baseline is compared through its yardstick, the crossover
// is found where it is, the HTML report is well-formed and self-contained, and the Markdown has a
// section per runtime and keeps its hand-written notes.
import { describe, expect, it } from "vitest";
import {
  baselineModuleBytes, ensureBytes, instantiateBaselines, PEAK_CHAINS, peakReference, sleb, uleb,
} from "../bench/baselines.ts";
import { NETWORK_MATMULS } from "../bench/cases.ts";
import { markdownReport, notesOf, runtimesMarkdown } from "../bench/markdown.ts";
import { htmlReport, type AllResults } from "../bench/report.ts";
import { crossover, type BrowserRun, type CaseResult, type ModelResult, type ResultSet } from "../bench/results.ts";
import { baselineOf, compareWithBaseline, type Baseline } from "../bench/stored-baseline.ts";
import { browserTargets, evaluateTargets, LARGE_N, SMALL_N, TARGET_N, TARGETS, THREADS_N } from "../bench/targets.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACTIVATIONS } from "../src/index.ts";

describe("the baseline module", () => {
  it("encodes LEB128 as the spec says", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([127]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([63]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it("validates", () => {
    expect(WebAssembly.validate(baselineModuleBytes())).toBe(true);
  });

  it("copies bytes with memory.copy", () => {
    const b = instantiateBaselines();
    ensureBytes(b, 3 * 65536);
    expect(b.memory.buffer.byteLength).toBeGreaterThanOrEqual(3 * 65536);
    const u8 = new Uint8Array(b.memory.buffer);
    for (let i = 0; i < 1000; i++) u8[i] = (i * 7) & 255;
    b.copy(70_000, 3, 997);
    const view = new Uint8Array(b.memory.buffer);
    for (let i = 0; i < 997; i++) expect(view[70_000 + i]).toBe(((i + 3) * 7) & 255);
    expect(view[70_000 + 997]).toBe(0);
  });

  it("runs the f32x4 chains of the peak loop exactly as float32 arithmetic does", () => {
    const b = instantiateBaselines();
    for (const c of PEAK_CHAINS) {
      for (const iterations of [0, 1, 5, 1000]) expect(b.peak[c](iterations)).toBe(peakReference(c, iterations));
    }
  });
});

describe("crossover", () => {
  it("interpolates where a starts to beat b for good", () => {
    const c = crossover([
      { elements: 16, a: 1, b: 4 },
      { elements: 256, a: 4, b: 1 },
      { elements: 4096, a: 8, b: 1 },
    ]);
    expect(c.always).toBe(false);
    expect(c.at).toBeCloseTo(64, 6); // log(a/b) goes from −log 4 to +log 4: halfway, geometrically
  });
  it("says when a wins throughout, and when it never does", () => {
    expect(crossover([{ elements: 16, a: 2, b: 1 }, { elements: 256, a: 3, b: 1 }])).toEqual({ at: 16, always: true });
    expect(crossover([{ elements: 16, a: 1, b: 2 }, { elements: 256, a: 1, b: 3 }]).at).toBeUndefined();
    // A win that does not last is no crossover.
    expect(crossover([{ elements: 16, a: 2, b: 1 }, { elements: 256, a: 1, b: 3 }]).at).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------- a made-up run

const KERNELS = [...ACTIVATIONS.flatMap((a) => [`${a.name}_f32`, `${a.name}_grad_f32`]), "mseWithGrad_f32", "mse+grad"];

/** A case where descent (wasm-relaxed, 1000 Melem/s) is `ratio` times faster than the plain loop and tfjs-wasm, and 2 threads twice that. */
function fakeCase(id: string, size: number, ratio: number, extra: Partial<CaseResult> = {}): CaseResult {
  const d = 1000;
  const impl = (melemPerS: number) => ({ melemPerS, medianUs: size / melemPerS, iqrPct: 1, batch: 10, samples: 15, relDiffVsJs: 0 });
  return {
    type: "case", case: id, kernel: id, section: id.startsWith("mse") ? "losses" : "activations", size, elements: size, shape: `[${size}]`,
    plain: "loop", descent: "wasm-relaxed",
    impls: {
      "wasm-relaxed": impl(d), "wasm-simd": impl(d / 1.2), plain: impl(d / ratio), api: impl(d * 0.9), "tfjs-wasm": impl(d / ratio), js: impl(d / 5),
      ...(size >= THREADS_N ? { "2 threads": { ...impl(d * 2), sameBitsAsDescent: true } } : {}),
    },
    ratios: {
      descentOverJs: 5, descentOverPlain: ratio, descentOverWasm: 4, relaxedOverSimd: 1.2, descentOverTfjsWasm: ratio, descentOverTfjsCpu: ratio * 2,
      apiOverTfjsWasm: ratio * 0.9, threadsOverDescent: size >= THREADS_N ? 2 : NaN, threadsOverTfjsWasm: size >= THREADS_N ? ratio * 2 : NaN,
    },
    apiOverheadNs: 20, apiNoiseNs: 5, trafficBytes: size * 8, copyUs: size / d, copyFraction: 1, peakFraction: undefined,
    ...extra,
  };
}

function fakeModel(id: string, ratio: number, relDiff = 1e-7): ModelResult {
  return {
    type: "model", case: id, section: "training epochs", unit: "epoch", shape: "100,000 × 32", rows: 100_000, cols: 32, note: "made up",
    descent: "wasm-relaxed",
    impls: {
      "wasm-relaxed": { medianMs: 1, iqrPct: 1, units: 10, relDiff },
      "tfjs-wasm": { medianMs: ratio, iqrPct: 1, units: 10, relDiff },
      "ml.js": { medianMs: ratio, iqrPct: 1, units: 1, relDiff },
      js: { medianMs: 5, iqrPct: 1, units: 10, relDiff: 0 },
      // Two threads `ratio` times faster than one (the ratios are the one thread's speed over the others').
      "2 threads": { medianMs: 1 / ratio, iqrPct: 1, units: 10, relDiff: undefined },
    },
    ratios: { "tfjs-wasm": ratio, "ml.js": ratio, js: 5, "2 threads": 1 / ratio },
  };
}

function fakeResults(ratio: number): ResultSet {
  const cases: CaseResult[] = [];
  for (const k of KERNELS) {
    for (const size of [SMALL_N, TARGET_N]) cases.push(fakeCase(k, size, ratio));
  }
  for (const k of ["sigmoid_f32", "elu_f32", "softmax_f32"]) cases.push(fakeCase(k, THREADS_N, ratio));
  for (const k of ["relu_f32", "leakyRelu_f32", "prelu_f32"]) cases.push(fakeCase(k, LARGE_N, ratio, { copyFraction: ratio / 10 }));
  const models = [
    ...[32, 256].flatMap((d) => [fakeModel(`LinearRegression epoch d=${d}`, ratio), fakeModel(`LogisticRegression epoch d=${d}`, ratio)]),
    fakeModel("LinearRegression closed form 100k×32", ratio * 5),
    fakeModel("Sequential epoch 784→256→128→10", ratio),
    fakeModel("LogisticRegression multinomial L-BFGS 100k×32", ratio),
  ];
  for (const [id] of NETWORK_MATMULS) cases.push(fakeCase(id, SMALL_N, ratio));
  // The stored baseline: this very run, so that nothing is slower than before.
  const previous = baselineOf(cases, { machine: { os: "os", cpu: "cpu", node: "v20", v8: "11" }, date: "2026-01-01", source: "made up" });
  return { cases, baselines: [], models, previous };
}

describe("targets", () => {
  it("are all met when every ratio is far above its threshold", () => {
    const t = evaluateTargets(fakeResults(100));
    expect(t.length).toBe(TARGETS.length);
    for (const r of t) expect({ id: r.id, met: r.met }).toEqual({ id: r.id, met: true });
  });

  it("are missed, each naming its worst check and what it would take, when the ratios are low", () => {
    const t = evaluateTargets(fakeResults(0.5));
    for (const r of t) {
      // 20 ns of overhead in the made-up run, and a baseline that is the run itself.
      if (r.id === "api-overhead" || r.id === "no-slower-than-baseline") expect(r.met).toBe(true);
      else expect(r.met, r.id).toBe(false);
      expect(r.worst?.measured).toBeDefined();
      if (r.met === false) expect(r.worst?.needs, r.id).toMatch(/^needs /);
    }
  });

  it("picks the worst check, says what a miss would take, and tells a miss from a check that was not measured", () => {
    const set = fakeResults(100);
    const cases = set.cases.map((c) => (c.case === "elu_f32" && c.size === TARGET_N ? fakeCase("elu_f32", TARGET_N, 1.2) : c));
    const t = evaluateTargets({ ...set, cases });
    const se = t.find((r) => r.id === "sigmoid-elu-vs-tfjs-wasm");
    expect(se?.met).toBe(false);
    expect(se?.worst?.subject).toBe("elu_f32 @ 65,536");
    expect(se?.worst?.measured).toBeCloseTo(1.2);
    // descent at 1000 Melem/s, 1.2× tfjs-wasm: 1.3× needs 1083.
    expect(se?.worst?.needs).toBe("needs wasm-relaxed at 1083 Melem/s (now 1000: +8 %)");

    const partial = evaluateTargets({ ...set, cases: set.cases.filter((c) => c.case !== "tanh_f32") });
    expect(partial.find((r) => r.id === "tanh-vs-tfjs-wasm")?.met).toBeUndefined();
    expect(partial.find((r) => r.id === "sigmoid-elu-vs-tfjs-wasm")?.met).toBe(true);
  });

  it("judge the threads target on the 2-thread contender at 1,048,576", () => {
    const set = fakeResults(100);
    const cases = set.cases.map((c) => (c.case === "softmax_f32" && c.size === THREADS_N
      ? { ...c, ratios: { ...c.ratios, threadsOverTfjsWasm: 1.5 } } : c));
    const threads = evaluateTargets({ ...set, cases }).find((r) => r.id === "threads-vs-tfjs-wasm");
    expect(threads?.met).toBe(false);
    expect(threads?.worst?.subject).toBe("softmax_f32 @ 1,048,576");
    expect(threads?.worst?.needs).toMatch(/^needs 2 threads at 2667 Melem\/s \(now 2000: \+33 %\)$/);
  });

  it("compare with the stored baseline only where there is one, through the yardstick measured beside descent", () => {
    const set = fakeResults(100);
    expect(evaluateTargets({ ...set, previous: undefined }).some((r) => r.id === "no-slower-than-baseline")).toBe(false);
    // softmax's baseline: descent 1000 beside tfjs-wasm at 5; now descent 1000 beside tfjs-wasm at 10, i.e. half as fast relative to it.
    const before = set.previous as Baseline;
    const previous: Baseline = { ...before, cases: { ...before.cases, softmax_f32: { elements: TARGET_N, descent: 1000, "tfjs-wasm": 5, plain: 10 } } };
    const base = evaluateTargets({ ...set, previous }).find((r) => r.id === "no-slower-than-baseline");
    expect(base?.met).toBe(false);
    expect(base?.worst?.subject).toBe("softmax_f32 @ 65,536");
    expect(base?.worst?.measured).toBeCloseTo(0.5);
    expect(base?.worst?.detail).toMatch(/normalised by tfjs-wasm/);

    const c = fakeCase("x", TARGET_N, 4);
    const one = (b: Baseline["cases"][string]): number | undefined => compareWithBaseline(c, { ...before, cases: { x: b } })?.ratio;
    // descent at 1000 Melem/s, 4× tfjs-wasm and the plain loop.
    expect(one({ elements: TARGET_N, descent: 500, "tfjs-wasm": 125, plain: 1 })).toBeCloseTo(1); // 4× tfjs-wasm then too: as fast
    expect(one({ elements: TARGET_N, descent: 500, plain: 250 })).toBeCloseTo(2); // no tfjs-wasm then: the plain loop
    expect(one({ elements: TARGET_N, descent: 500 })).toBeCloseTo(2); // no yardstick: raw
    expect(one({ elements: 1000, descent: 500 })).toBeUndefined(); // another problem size
  });

  it("judge the Chromium target from the browser benchmark's rows", () => {
    const row = (kernel: string, d: number, tf: number) => ({ kernel, elements: TARGET_N, melems: { "wasm-relaxed": d, "wasm-simd": d / 2, "tfjs-wasm": tf } });
    const [t] = browserTargets([row("sigmoid", 800, 500), row("elu", 900, 500), row("softmax", 600, 500)], "wasm-relaxed");
    expect(t.met).toBe(false);
    expect(t.worst?.subject).toBe("softmax @ 65,536");
    expect(t.worst?.measured).toBeCloseTo(1.2);
    expect(t.worst?.needs).toBe("needs wasm-relaxed at 750 Melem/s (now 600: +25 %)");
    expect(browserTargets([row("sigmoid", 800, 500), row("elu", 900, 500), row("softmax", 800, 500)], "wasm-relaxed")[0].met).toBe(true);
  });

  it("holds the closed form to the same weights as ml.js", () => {
    const set = fakeResults(100);
    const models = set.models.map((m) => (m.case.includes("closed form") ? fakeModel(m.case, 500, 0.5) : m));
    const cf = evaluateTargets({ ...set, models }).find((r) => r.id === "closed-form-vs-ml");
    expect(cf?.met).toBe(false);
    expect(cf?.checks[0].detail).toMatch(/DIFFER/);
  });

  it("hold an API overhead to at most 50 ns", () => {
    const set = fakeResults(100);
    const cases = set.cases.map((c) => (c.case === "elu_f32" && c.size === SMALL_N ? { ...c, apiOverheadNs: 51 } : c));
    const api = evaluateTargets({ ...set, cases }).find((r) => r.id === "api-overhead");
    expect(api?.met).toBe(false);
    expect(api?.worst?.measured).toBe(51);
  });
});

// ---------------------------------------------------------------------------- the report

function fakeAll(): AllResults {
  const set = fakeResults(3);
  const cases = [16, 256, 4096].map((n, i) => fakeCase("sigmoid_f32", n, [0.5, 2, 8][i]));
  return {
    info: {
      machine: { os: "Linux <test> & co", cpu: "a CPU", node: "v26.12.1", v8: "14" }, runtime: "Node 26.12.1", descent: "wasm-relaxed",
      backends: ["wasm-relaxed", "wasm-simd", "wasm", "js"], threads: 2, splitMinElements: 131_072, baseline: undefined,
      date: "2026-01-01T00:00:00.000Z", quick: false,
      seconds: 12, sizes: [16, 256, 4096], samples: 15, tfjs: { version: "4.22.0", wasmBinary: "tfjs-backend-wasm-simd.wasm", simd: true, threads: false },
      disagreements: [], leaks: [],
    },
    cases: [...cases, ...set.cases.filter((c) => c.case !== "sigmoid_f32")],
    baselines: [
      { type: "baseline", name: "memory.copy", size: 16, bytes: 64, medianUs: 0.01, iqrPct: 1, bytesPerS: 6.4e9 },
      { type: "baseline", name: "memory.copy", size: 4096, bytes: 16384, medianUs: 0.2, iqrPct: 1, bytesPerS: 8e10 },
      { type: "baseline", name: "peak f32x4", flopsPerS: 5e10, chains: 12, byChains: { "8": 4e10, "12": 5e10 } },
    ],
    models: set.models,
    threads: [{
      type: "threads", kernel: "sigmoid_f32", descent: "wasm-relaxed", crossover: 90_000, always: false, splitMinElements: 131_072,
      points: [
        { elements: 16_384, oneMelemPerS: 1000, twoMelemPerS: 500, speedup: 0.5, sameBits: true },
        { elements: 262_144, oneMelemPerS: 1000, twoMelemPerS: 1800, speedup: 1.8, sameBits: true },
      ],
    }],
    targets: evaluateTargets(set),
  };
}

/** Checks that every element is closed in order (void elements excepted) and returns the tags seen. */
function balance(html: string): Set<string> {
  const VOID = new Set(["meta", "br", "hr", "img", "input", "link"]);
  const stack: string[] = [];
  const seen = new Set<string>();
  const body = html.replace(/^<!DOCTYPE html>\s*/, "").replace(/<style>[\s\S]*?<\/style>/, "<style></style>");
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    const tag = name.toLowerCase();
    seen.add(tag);
    if (close) {
      expect(stack.pop(), `closing </${tag}>`).toBe(tag);
    } else if (!selfClose && !VOID.has(tag)) stack.push(tag);
  }
  expect(stack).toEqual([]);
  return seen;
}

describe("the HTML report", () => {
  const html = htmlReport(fakeAll());

  it("is well-formed, with charts and tables", () => {
    const tags = balance(html);
    for (const t of ["html", "head", "body", "svg", "path", "table", "h2"]) expect(tags.has(t), t).toBe(true);
    // Text is escaped: the made-up OS name has a < and an &.
    expect(html).toContain("Linux &lt;test&gt; &amp; co");
    expect(html).not.toContain("<test>");
  });

  it("is self-contained: no script, no stylesheet or image fetched", () => {
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    const urls = html.match(/https?:\/\/[^\s"')]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
  });

  it("shows every target with its verdict, the crossovers and where two threads pay", () => {
    for (const t of TARGETS) expect(html).toContain(t.text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    expect(html).toMatch(/wasm-relaxed &gt; JS: from ≈\d+/);
    expect(html).toContain("descent = <b>wasm-relaxed</b>");
    expect(html).toContain("2 threads win from ≈ 90,000 elements (the runtime splits from 131,072)");
  });
});

describe("the Markdown of bench/RESULTS.md", () => {
  const node = (major: string, descent: "wasm-relaxed" | "wasm-simd"): AllResults => {
    const all = fakeAll();
    return { ...all, info: { ...all.info, machine: { ...all.info.machine, node: `v${major}.1.0` }, descent } };
  };
  const browser: BrowserRun = {
    type: "browser", date: "2026-01-01T00:00:00.000Z", browser: "Chromium 156.0", userAgent: "HeadlessChrome/156", machine: { os: "os", cpu: "cpu" },
    descent: "wasm-relaxed", contenders: ["wasm-relaxed", "wasm-simd", "tfjs-wasm"], tfjs: { version: "4.22.0", wasmBinary: "tfjs-backend-wasm-simd.wasm", simd: true, threads: false },
    runs: 1, seconds: 10,
    rows: [{ kernel: "sigmoid", shape: "[65536]", elements: TARGET_N, melems: { "wasm-relaxed": 900, "wasm-simd": 700, "tfjs-wasm": 500 }, iqr: {} }],
    targets: browserTargets([{ kernel: "sigmoid", elements: TARGET_N, melems: { "wasm-relaxed": 900, "tfjs-wasm": 500 } }], "wasm-relaxed"),
  };

  it("has the runs, the targets across runtimes, and a section per runtime and for Chromium", () => {
    const md = runtimesMarkdown({ runs: [node("20", "wasm-simd"), node("26", "wasm-relaxed")], browser });
    expect(md).toMatch(/^# Benchmark results/);
    expect(md).toContain("| target | Node 20 | Node 26 | Chromium |");
    expect(md).toContain("## Node 20: v20.1.0, V8 14; descent = wasm-simd");
    expect(md).toContain("## Node 26: v26.1.0, V8 14; descent = wasm-relaxed");
    expect(md).toContain("## Chromium 156.0: descent = wasm-relaxed");
    expect(md).toContain("| kernel | Node 26 / 20 |");
    expect(md).toContain("| target | checked on | measured | | what it would take |");
    for (const t of TARGETS) expect(md).toContain(t.text);
    // The Chromium row of sigmoid: 900 Melem/s, 1.8× tfjs-wasm.
    expect(md).toMatch(/\| `sigmoid` \| .* \| 900 \(1\.80×\) \|/);
  });

  it("keeps the hand-written notes when it is written again", () => {
    const file = join(mkdtempSync(join(tmpdir(), "descent-md-")), "RESULTS.md");
    expect(notesOf(file)).toBeUndefined();
    writeFileSync(file, markdownReport(fakeAll(), "softmax: the float64 row sums.\n\nMore."));
    expect(notesOf(file)).toBe("softmax: the float64 row sums.\n\nMore.");
    writeFileSync(file, runtimesMarkdown({ runs: [fakeAll()], notes: notesOf(file) }));
    expect(notesOf(file)).toBe("softmax: the float64 row sums.\n\nMore.");
  });
});
