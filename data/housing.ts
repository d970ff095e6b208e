// Makes data/housing.csv, a small synthetic housing table shaped like the ones users bring: an id,
// a street address unique to each row, a neighbourhood that drives the price, numbers, a yes/no
// column, and a few missing cells written the ways real exports write them ("", "NA").
// Seeded, so the file is the same on every run: `npx tsx data/housing.ts` rewrites it, and
// test/data.test.ts checks that the committed file is this script's output.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** mulberry32: a small seeded generator, kept here so that the data never changes with src/. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NEIGHBOURHOODS: [string, number][] = [
  ["Downtown", 420_000], ["Harbourside", 390_000], ["Hillcrest", 330_000], ["Old Town", 300_000], ["Riverside", 260_000],
];
const STREETS = ["Elm St", "Oak Ave", "Maple Rd", "Cedar Ln", "Birch Way", "Pine St", "Willow Ct", "Ash Blvd"];
export const HOUSING_ROWS = 150;

/** Cells left missing, by row and column, and how each is written. */
const MISSING: Record<string, string> = {
  "7,sqft": "", "41,sqft": "NA", "88,sqft": "", "23,year_built": "NA", "119,year_built": "",
  "64,neighbourhood": "", "102,garage": "NA", "133,price": "",
};

export function housingCsv(): string {
  const rand = generator(2024);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const lines = ["id,address,neighbourhood,sqft,bedrooms,bathrooms,year_built,garage,price"];
  for (let i = 0; i < HOUSING_ROWS; i++) {
    const [neighbourhood, base] = pick(NEIGHBOURHOODS);
    const bedrooms = 1 + Math.floor(rand() * 5);
    const bathrooms = Math.max(1, Math.min(3, Math.round(bedrooms / 2 + rand())));
    const sqft = Math.round(450 + bedrooms * 380 + rand() * 600);
    const year = 1950 + Math.floor(rand() * 71);
    const garage = rand() < 0.55 ? "yes" : "no";
    const price = base + 140 * sqft + 12_000 * bedrooms + 9_000 * bathrooms + 900 * (year - 1950) +
      (garage === "yes" ? 15_000 : 0) + 20_000 * normal();
    const row: Record<string, string> = {
      id: String(1001 + i * 7), address: `${i + 1} ${pick(STREETS)}`, neighbourhood, sqft: String(sqft), bedrooms: String(bedrooms),
      bathrooms: String(bathrooms), year_built: String(year), garage, price: String(Math.round(price / 1000) * 1000),
    };
    lines.push(Object.entries(row).map(([column, cell]) => MISSING[`${i},${column}`] ?? cell).join(","));
  }
  return lines.join("\n") + "\n";
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(new URL("housing.csv", import.meta.url), housingCsv());
}
