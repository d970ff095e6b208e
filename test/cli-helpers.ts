// The command line run in-process for the CLI tests (cli, cli-stream, cli-onnx): its output streams
// captured, never a terminal unless asked.
import { main } from "../src/cli/main.ts";

/** A stream that keeps what is written to it. */
export function capture(isTTY = false): { write(s: string): boolean; isTTY: boolean; columns: number; text: string } {
  return { isTTY, columns: 100, text: "", write(s: string) { this.text += s; return true; } };
}

/** A runner of `descent <argv…>` in the folder `cwd`, giving its exit code and what it printed. */
export function runIn(cwd: string): (...argv: string[]) => Promise<{ code: number; stdout: string; stderr: string }> {
  return async (...argv) => {
    const stdout = capture();
    const stderr = capture();
    const code = await main(argv, { stdout, stderr, cwd });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
}
