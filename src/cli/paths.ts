// Where a command will write, checked before it reads or trains anything, so that a refusal changes
// nothing: `descent train data.csv --out data.csv` used to replace the data with the model, and a
// missing --out folder was found only after the training it was meant to keep.
import { accessSync, constants, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { UsageError } from "./args.ts";

/** A file the command reads, and what it is for messages ("the CSV file to train on"). */
export interface Input {
  file: string;
  role: string;
}

/** A file the command writes, and the flag that named it. */
export interface Output {
  file: string;
  flag: string;
}

/** Where a path leads. */
interface Place {
  /** Equal for every name of one file: its device and inode when it exists (hard links share them), else its real path. */
  key: string;
  /** The file that would be written: symbolic links followed, the folder's real path. */
  path: string;
  exists: boolean;
  /** Whether a symbolic link to a file not yet written led elsewhere. */
  linked: boolean;
}

/** Linux's limit on links followed in one path (ELOOP). */
const MAX_LINKS = 40;

function place(abs: string): Place {
  let p = abs;
  let linked = false;
  for (let i = 0; i <= MAX_LINKS; i++) {
    try {
      const s = statSync(p, { bigint: true });
      return { key: `file ${s.dev}:${s.ino}`, path: p, exists: true, linked };
    } catch {
      // Nothing there yet, or a link to nothing yet: writing through the link creates its target.
    }
    let target: string | undefined;
    try {
      if (lstatSync(p).isSymbolicLink()) target = readlinkSync(p);
    } catch {
      // Nothing at p at all.
    }
    if (target === undefined) break;
    p = resolve(dirname(p), target);
    linked = true;
  }
  let real = p;
  try {
    // "./a.svg", "sub/../a.svg" and "here/a.svg" (here a link to .) are one file once the folder is real.
    real = resolve(realpathSync(dirname(p)), basename(p));
  } catch {
    // The folder is missing: checkWritable says so.
  }
  return { key: `path ${real}`, path: real, exists: false, linked };
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function checkWritable(o: Output, at: Place): void {
  const fail = (why: string): never => {
    throw new UsageError(`cannot write ${o.flag} ${o.file}: ${why}`);
  };
  if (at.exists) {
    if (statSync(at.path).isDirectory()) fail("it is a directory");
    if (!writable(at.path)) fail("permission denied");
    return;
  }
  const folder = dirname(at.path);
  // The folder as the user wrote it, unless a link led somewhere else.
  const shown = at.linked ? folder : dirname(o.file);
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch (err) {
    return fail((err as NodeJS.ErrnoException).code === "ENOTDIR" ? `${shown} is not a directory` : `no such directory ${shown}`);
  }
  if (!isFolder) fail(`${shown} is not a directory`);
  if (!writable(folder)) fail(`permission denied in ${shown}`);
}

/**
 * Refuses (a UsageError, exit code 2) an output that is one of the inputs or an earlier output,
 * however either is spelt ("./x.csv", a symbolic or hard link, a linked folder), or whose folder
 * does not exist or cannot be written. Paths are relative to `cwd`.
 */
export function checkOutputs(inputs: readonly Input[], outputs: readonly Output[], cwd: string): void {
  const read = inputs.map((i) => ({ ...i, at: place(resolve(cwd, i.file)) }));
  const written: (Output & { at: Place })[] = [];
  for (const o of outputs) {
    const at = place(resolve(cwd, o.file));
    const input = read.find((i) => i.at.key === at.key);
    if (input !== undefined) throw new UsageError(`${o.flag} ${o.file} would overwrite ${input.role}, ${input.file}; choose another ${o.flag}`);
    const earlier = written.find((w) => w.at.key === at.key);
    if (earlier !== undefined) throw new UsageError(`${o.flag} ${o.file} would overwrite ${earlier.flag} ${earlier.file}; give each its own file`);
    checkWritable(o, at);
    written.push({ ...o, at });
  }
}
