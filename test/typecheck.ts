// Running tsc over the type-test programs of test/types/ (in this repository and in a project
// with the packed tarball installed), and reading which lines it refused.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The type-test programs and their compiler settings. */
export const TYPES_DIR = fileURLToPath(new URL("./types/", import.meta.url));
export const TSC = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));

/** The settings of test/types/tsconfig.json (JSON with comments). */
export function typesConfig(): { compilerOptions: Record<string, unknown>; files: string[] } {
  const text = readFileSync(`${TYPES_DIR}tsconfig.json`, "utf8").replace(/^\s*\/\/.*$/gm, "");
  return JSON.parse(text) as { compilerOptions: Record<string, unknown>; files: string[] };
}

/** tsc's exit code and its diagnostics (one per line, `file(line,col): error TSnnnn: …`). */
export async function tsc(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, ...args], { cwd, encoding: "utf8", maxBuffer: 16 << 20 });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

/**
 * The program without its `// @ts-expect-error` markers (each replaced by an empty comment, so
 * that lines keep their numbers), and the 1-based lines the markers stood above.
 */
export function unmarked(source: string): { text: string; lines: number[] } {
  const lines: number[] = [];
  const text = source.split("\n").map((line, i) => {
    if (!/^\s*\/\/ @ts-expect-error\b/.test(line)) return line;
    lines.push(i + 2);
    return "//";
  }).join("\n");
  return { text, lines };
}

/** The lines of `file` that tsc reported an error on. */
export function errorLines(output: string, file: string): number[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const lines = [...output.matchAll(new RegExp(`^(?:.*[\\\\/])?${escaped}\\((\\d+),\\d+\\): error TS\\d+`, "gm"))].map((m) => Number(m[1]));
  return [...new Set(lines)].sort((a, b) => a - b);
}
