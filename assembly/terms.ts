// Term classes shared by several kernels, for the reductions and maps of reduce.ts (which call
// their @inline methods on a null reference; they are never instantiated).
import { mul } from "./lanes";
import { expFromReduced, expShifted, expShiftedR, expShiftedZ } from "./math";

/** e^(x − m) for a row maximum m, in the two stages of sum64p; summed, not stored. */
@final @unmanaged export class ExpShifted {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline keep(): bool { return false; }
}

/** e^(x − m), summed and stored (softmax's numerators). */
@final @unmanaged export class ExpShiftedKeep {
  @inline term<T>(x: T, m: T, kz: T): T { return expShifted<T>(x, m, kz); }
  @inline first<T>(x: T, m: T, kz: T): T { return expShiftedZ<T>(x, m, kz); }
  @inline second<T>(x: T, m: T, z: T, kz: T): T { return expShiftedR<T>(x, m, z, kz); }
  @inline last<T>(z: T, r: T, kz: T): T { return expFromReduced<T>(z, r, kz); }
  @inline keep(): bool { return true; }
}

/** v·k, for map2. */
@final @unmanaged export class Scale {
  @inline term<T>(v: T, _unused: T, k: T, _kz: T): T { return mul<T>(v, k); }
}
