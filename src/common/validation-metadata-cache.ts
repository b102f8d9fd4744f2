import { getMetadataStorage } from 'class-validator';

/**
 * Remembers class-validator's answer to "which validations apply to this class" per class and options.
 *
 * Why: class-validator works the answer out again on every validation (of the body, and of each nested object
 * in it). Each time it walks every decorated class the gateway has, hundreds of them, to find the ones this
 * class inherits from, and then compares inherited against own declarations pair by pair. A CPU profile of 16
 * integrator clients calling `person/add` showed this one function (getTargetValidationMetadatas) as 5% of the
 * gateway's time, more than all of the planner's code. The declarations are fixed once the classes are loaded.
 * Each declaration added later (a class loaded late) empties the memo, so an answer can never be stale.
 *
 * The memo hands out copies, so a caller that changes its list cannot change the next caller's.
 */
type Lookup = (target: Function, schema: string, always: boolean, strictGroups: boolean, groups?: string[]) => unknown[];

interface Storage {
  getTargetValidationMetadatas: Lookup;
  addValidationMetadata: (metadata: unknown) => void;
  __cvgwMemo?: true;
}

export function memoiseValidationMetadata(): void {
  const storage = getMetadataStorage() as unknown as Storage;
  if (storage.__cvgwMemo) return;
  storage.__cvgwMemo = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let memo = new Map<Function, Map<string, unknown[]>>();
  storage.addValidationMetadata = (metadata: unknown) => {
    memo = new Map();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // A schema name (string target) or an odd target is rare: not memoised.
    if (typeof target !== 'function') return lookup(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups ? `g:${groups.join('\u0001')}` : 'none'}`;
    let perTarget = memo.get(target);
    if (!perTarget) memo.set(target, (perTarget = new Map()));
    let found = perTarget.get(key);
    if (!found) perTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found.slice();
  };
}
