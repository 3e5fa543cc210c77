/**
 * Copies source[from, to) into target at `at` and says where it ended. The byte lane copies
 * values of ~10–30 bytes, where a loop beats the call into Buffer.copy; longer ones take it.
 */
export function copyBytes(source: Buffer, from: number, to: number, target: Buffer, at: number): number {
  if (to - from > 64) return at + source.copy(target, at, from, to)
  for (let p = from; p < to; p++) target[at++] = source[p]
  return at
}
