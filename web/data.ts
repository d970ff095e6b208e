// The playground's points and its presets. Points live in the square [-1, 1]² (y up); labels are
// class indices 0, 1, 2 (shown as classes 1, 2, 3). Presets are seeded, so a preset always gives
// the same points.
import { mulberry32 } from "../src/random.ts";

export interface Point {
  x: number;
  y: number;
  label: number;
}

export const PRESETS = ["blobs", "xor", "circles", "spiral"] as const;
export type Preset = (typeof PRESETS)[number];

/** Classes each preset has: XOR and circles are two-class problems by nature. */
export function presetClasses(preset: Preset, wanted: number): number {
  return preset === "xor" || preset === "circles" ? 2 : wanted;
}

const clamp = (v: number): number => Math.max(-0.98, Math.min(0.98, v));

function gaussian(r: () => number): () => number {
  return () => {
    // Box–Muller; 1 − r() is in (0, 1], so the logarithm is finite.
    const u = 1 - r();
    const v = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function makePreset(preset: Preset, classes: number, seed = 1): Point[] {
  const r = mulberry32(seed * 7919 + PRESETS.indexOf(preset));
  const g = gaussian(r);
  const points: Point[] = [];
  const add = (x: number, y: number, label: number): void => {
    points.push({ x: clamp(x), y: clamp(y), label });
  };
  switch (preset) {
    case "blobs": {
      for (let c = 0; c < classes; c++) {
        const angle = Math.PI / 2 + (2 * Math.PI * c) / classes;
        const cx = 0.5 * Math.cos(angle);
        const cy = 0.5 * Math.sin(angle);
        for (let i = 0; i < 60; i++) add(cx + 0.17 * g(), cy + 0.17 * g(), c);
      }
      break;
    }
    case "xor": {
      // Uniform in the square, away from the axes so that the classes do not touch.
      while (points.length < 200) {
        const x = 2 * r() - 1;
        const y = 2 * r() - 1;
        if (Math.abs(x) < 0.08 || Math.abs(y) < 0.08) continue;
        add(x * 0.95, y * 0.95, (x > 0) !== (y > 0) ? 1 : 0);
      }
      break;
    }
    case "circles": {
      for (let i = 0; i < 200; i++) {
        const outer = i % 2;
        const radius = outer ? 0.62 + 0.3 * r() : 0.4 * Math.sqrt(r());
        const angle = 2 * Math.PI * r();
        add(radius * Math.cos(angle) + 0.03 * g(), radius * Math.sin(angle) + 0.03 * g(), outer);
      }
      break;
    }
    case "spiral": {
      const perArm = 90;
      for (let c = 0; c < classes; c++) {
        for (let i = 0; i < perArm; i++) {
          const t = i / perArm;
          const radius = 0.08 + 0.88 * t;
          const angle = (2 * Math.PI * c) / classes + 4 * t + 0.1 * g();
          add(radius * Math.cos(angle), radius * Math.sin(angle), c);
        }
      }
      break;
    }
  }
  return points;
}

/** The points as the models take them: X rows of [x, y] and one label per row. */
export function toTraining(points: readonly Point[]): { X: number[][]; y: number[] } {
  return { X: points.map((p) => [p.x, p.y]), y: points.map((p) => p.label) };
}
