// `npm start`: two runs of `descent train` on the bundled penguins data (data/penguins.csv, CC0),
// one regression (body mass) and one classification (species), through the CLI's own main().
import { fileURLToPath } from "node:url";
import { main } from "../src/cli/main.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

const RUNS: readonly (readonly string[])[] = [
  // The closed-form least-squares fit: the course's linear regression, no gradient descent needed.
  ["train", "data/penguins.csv", "--target", "body_mass_g"],
  // A small network trained by backpropagation, to watch the loss fall epoch by epoch.
  ["train", "data/penguins.csv", "--target", "species", "--model", "mlp", "--layers", "16,8"],
];

for (const [i, argv] of RUNS.entries()) {
  process.stdout.write(`${i === 0 ? "" : "\n"}$ descent ${argv.join(" ")}\n\n`);
  const code = await main(argv, { cwd: root });
  if (code !== 0) {
    process.exitCode = code;
    break;
  }
}
