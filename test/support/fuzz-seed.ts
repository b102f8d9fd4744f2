/**
 * One seed per fuzz file run, from which every random input of the file is drawn: each `fc.assert` takes it
 * (`{ seed: FUZZ_SEED }`), and so does each `fc.sample` the file draws outside a property. A failure prints it
 * (fast-check's `{ seed: …, path: … }`, or `replayed`'s message), and `FC_SEED=<that seed> npx vitest run <file>`
 * draws the same inputs again. Unseeded, `fc.sample` took a seed of its own at every call, so a printed seed
 * replayed the property's part of an input but not the rest (a line separator, the garbage lines around a result).
 * Unset, a new seed each run, as fast-check picks one, so the fuzzing keeps finding new inputs from run to run.
 */
export const FUZZ_SEED: number = seedFromEnv();

function seedFromEnv(): number {
  const given = process.env.FC_SEED;
  if (!given) return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be the whole number a failure printed, not ${JSON.stringify(given)}`);
  return seed;
}

/** Runs a check over inputs drawn with `fc.sample(…, { seed: FUZZ_SEED })` outside a property, naming the seed when it fails. */
export async function replayed<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof Error) err.message = `${err.message}\n(inputs drawn from seed ${FUZZ_SEED}: replay with FC_SEED=${FUZZ_SEED})`;
    throw err;
  }
}
