// The types users get: the programs of test/types/ type-check against the built declarations
// (dist/*.d.ts, which `npm run build` writes), strict and without skipLibCheck, and each mistake
// they mark with @ts-expect-error is an error, on its line, once the marker is gone. The same
// programs run against the installed tarball in test/pack.test.ts.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { TYPES_DIR, errorLines, tsc, typesConfig, unmarked } from "./typecheck.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

beforeAll(() => {
  if (!existsSync(join(root, "dist/index.d.ts"))) throw new Error("dist/index.d.ts is missing: `npm run build` makes it (npm test builds first)");
});

describe("the types against the built declarations", () => {
  it("the README's API and the marked mistakes type-check (strict, no skipLibCheck)", async () => {
    const { code, output } = await tsc(["-p", join(TYPES_DIR, "tsconfig.json")], root);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 120_000);

  it("without the markers, tsc refuses exactly the marked lines", async () => {
    const { text, lines } = unmarked(await readFile(join(TYPES_DIR, "mistakes.ts"), "utf8"));
    expect(lines.length).toBeGreaterThanOrEqual(15);
    // Inside the repository, so that "descent-ml" still resolves to the package itself.
    const dir = await mkdtemp(join(root, "test/types/.unmarked-"));
    try {
      await writeFile(join(dir, "mistakes.ts"), text);
      const config = typesConfig();
      await writeFile(join(dir, "tsconfig.json"), JSON.stringify({ ...config, files: ["mistakes.ts"] }));
      const { code, output } = await tsc(["-p", join(dir, "tsconfig.json")], root);
      expect(code).not.toBe(0);
      expect(errorLines(output, "mistakes.ts")).toEqual(lines);
      // The activation typo names the activation it meant.
      expect(output).toMatch(/Type '"Relu"' is not assignable to type .*Did you mean '"relu"'\?/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
