// The benchmark suite's own checks, none of them timed: the hand-assembled baseline module
// validates and computes what it should, the targets evaluate from a made-up result set, the
// crossover is found where it is, and the HTML report is well-formed and self-contained.
import { describe, expect, it } from "vitest";
import {
  baselineModuleBytes, ensureBytes, instantiateBaselines, PEAK_CHAINS, peakReference, sleb, uleb,
} from "../bench/baselines.ts";
import { htmlReport, markdownReport, type AllResults } from "../bench/report.ts";
import { crossover, type CaseResult, type ModelResult, type ResultSet } from "../bench/results.ts";
import { evaluateTargets, LARGE_N, SMALL_N, TARGET_N, TARGETS } from "../bench/targets.ts";
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

function fakeCase(id: string, size: number, ratio: number, extra: Partial<CaseResult> = {}): CaseResult {
  const simd = 1000;
  const impl = (melemPerS: number) => ({ melemPerS, medianUs: size / melemPerS, iqrPct: 1, batch: 10, samples: 15, relDiffVsJs: 0 });
  return {
    type: "case", case: id, kernel: id, section: id.startsWith("mse") ? "losses" : "activations", size, elements: size, shape: `[${size}]`,
    plain: "loop",
    impls: { "wasm-simd": impl(simd), plain: impl(simd / ratio), "simd-api": impl(simd * 0.9), "tfjs-wasm": impl(simd / ratio), js: impl(simd / 5) },
    ratios: {
      simdOverJs: 5, simdOverPlain: ratio, simdOverWasm: 4, simdOverTfjsWasm: ratio, simdOverTfjsCpu: ratio * 2, apiOverTfjsWasm: ratio * 0.9,
    },
    apiOverheadNs: 20, apiNoiseNs: 5, trafficBytes: size * 8, copyUs: size / simd, copyFraction: 1, peakFraction: undefined,
    ...extra,
  };
}

function fakeModel(id: string, ratio: number, relDiff = 1e-7): ModelResult {
  return {
    type: "model", case: id, section: "training epochs", unit: "epoch", shape: "100,000 × 32", rows: 100_000, cols: 32, note: "made up",
    impls: {
      "wasm-simd": { medianMs: 1, iqrPct: 1, units: 10, relDiff },
      "tfjs-wasm": { medianMs: ratio, iqrPct: 1, units: 10, relDiff },
      "ml.js": { medianMs: ratio, iqrPct: 1, units: 1, relDiff },
      js: { medianMs: 5, iqrPct: 1, units: 10, relDiff: 0 },
    },
    ratios: { "tfjs-wasm": ratio, "ml.js": ratio, js: 5 },
  };
}

function fakeResults(ratio: number): ResultSet {
  const cases: CaseResult[] = [];
  for (const k of KERNELS) {
    for (const size of [SMALL_N, TARGET_N]) cases.push(fakeCase(k, size, ratio));
  }
  for (const k of ["relu_f32", "leakyRelu_f32", "prelu_f32"]) cases.push(fakeCase(k, LARGE_N, ratio, { copyFraction: ratio / 10 }));
  const models = [
    ...[32, 256].flatMap((d) => [fakeModel(`LinearRegression epoch d=${d}`, ratio), fakeModel(`LogisticRegression epoch d=${d}`, ratio)]),
    fakeModel("LinearRegression closed form 100k×32", ratio * 5),
  ];
  return { cases, baselines: [], models };
}

describe("targets", () => {
  it("are all met when every ratio is far above its threshold", () => {
    const t = evaluateTargets(fakeResults(100));
    expect(t.length).toBe(TARGETS.length);
    for (const r of t) expect({ id: r.id, met: r.met }).toEqual({ id: r.id, met: true });
  });

  it("are missed, each naming its worst check, when the ratios are low", () => {
    const t = evaluateTargets(fakeResults(1));
    for (const r of t) {
      if (r.id === "api-overhead") expect(r.met).toBe(true); // 20 ns of overhead in the made-up run
      else expect(r.met).toBe(false);
      expect(r.worst?.measured).toBeDefined();
    }
  });

  it("picks the worst check and tells a miss from a check that was not measured", () => {
    const set = fakeResults(100);
    const cases = set.cases.map((c) => (c.case === "softmax_f32" && c.size === TARGET_N ? fakeCase("softmax_f32", TARGET_N, 1.2) : c));
    const t = evaluateTargets({ ...set, cases });
    const exp = t.find((r) => r.id === "exp-vs-tfjs-wasm");
    expect(exp?.met).toBe(false);
    expect(exp?.worst?.subject).toBe("softmax_f32 @ 65,536");
    expect(exp?.worst?.measured).toBeCloseTo(1.2);

    const partial = evaluateTargets({ ...set, cases: set.cases.filter((c) => c.case !== "tanh_f32") });
    expect(partial.find((r) => r.id === "tanh-softplus-vs-tfjs-wasm")?.met).toBeUndefined();
    expect(partial.find((r) => r.id === "exp-vs-tfjs-wasm")?.met).toBe(true);
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
      machine: { os: "Linux <test> & co", cpu: "a CPU", node: "v20", v8: "11" }, date: "2026-01-01T00:00:00.000Z", quick: false,
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

  it("shows every target with its verdict, and the crossover", () => {
    for (const t of TARGETS) expect(html).toContain(t.text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    expect(html).toMatch(/wasm-simd &gt; JS: from ≈\d+/);
  });

  it("has a Markdown twin with the targets table", () => {
    const md = markdownReport(fakeAll());
    expect(md).toMatch(/^# Benchmark results/);
    expect(md).toContain("| target | checked on | measured | |");
    for (const t of TARGETS) expect(md).toContain(t.text);
  });
});
