// What counts as a number in descent's text input, CSV cells and command-line values alike: one
// rule, so a value the command line refuses is not quietly read from a file (or the reverse).

/**
 * Decimal notation, as pandas reads it: an optional sign, digits with an optional point, an
 * optional exponent ("12", "-.5", "5.", "1e-3"). Not JavaScript's other spellings: "0x10", "0b101",
 * "0o17" and "1_000" are text, and so is "" (Number("") would be 0).
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
/** Infinity spelt out, as pandas and Python's float() accept it. */
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

/**
 * The number `text` spells, with surrounding whitespace ignored (as pandas does with " 12 "), or
 * undefined when it is not one. Infinity spelt out ("inf", "-Infinity") is returned as ±Infinity
 * rather than undefined, so that callers, which all need finite values, can say "not a finite
 * number" instead of "not a number". NaN is not a number here.
 */
export function readNumber(text: string): number | undefined {
  const t = text.trim();
  if (DECIMAL.test(t)) return Number(t);
  const inf = INFINITY.exec(t);
  if (inf !== null) return inf[1] === "-" ? -Infinity : Infinity;
  return undefined;
}
