/**
 * Assigns items to k folds without randomness: items are grouped by their
 * stratum (for routing, the set of targets they bear on), and dealt out in
 * turn, one counter running across groups, so every fold gets its share of
 * each target and folds differ in size by one at most. The same items in
 * the same order always get the same folds.
 */
export function assignFolds(strata: readonly string[], folds: number): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError(`cross-validation needs 2 folds or more, not ${folds}`);
  const groups = new Map<string, number[]>();
  strata.forEach((stratum, index) => {
    const group = groups.get(stratum);
    if (group) group.push(index);
    else groups.set(stratum, [index]);
  });
  const assignment = new Int32Array(strata.length);
  let dealt = 0;
  for (const stratum of [...groups.keys()].sort()) {
    for (const index of groups.get(stratum)!) {
      assignment[index] = dealt % folds;
      dealt += 1;
    }
  }
  return assignment;
}
