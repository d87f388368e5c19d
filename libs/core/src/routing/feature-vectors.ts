/**
 * Items as sparse numeric vectors over a vocabulary of features.
 *
 * A feature's value is 1 where it occurs (binary) or 1 + ln(count) (log
 * term frequency); with `normalise`, a vector is divided by its Euclidean
 * length, taken over all the item's features whether or not the vocabulary
 * knows them, so an item scores the same whichever features a model keeps.
 */

export interface FeatureWeighting {
  counts: 'binary' | 'log-tf';
  normalise: boolean;
}

/** One item's features and their values, in the order they first occur. */
export function featureValues(features: readonly string[], weighting: FeatureWeighting): Map<string, number> {
  const counts = new Map<string, number>();
  for (const feature of features) counts.set(feature, (counts.get(feature) ?? 0) + 1);
  let squares = 0;
  for (const [feature, count] of counts) {
    const value = weighting.counts === 'binary' ? 1 : 1 + Math.log(count);
    counts.set(feature, value);
    squares += value * value;
  }
  if (weighting.normalise && squares > 0) {
    const length = Math.sqrt(squares);
    for (const [feature, value] of counts) counts.set(feature, value / length);
  }
  return counts;
}

/** Rows in compressed sparse row form: row i's columns are `columns[offsets[i]..offsets[i+1]]`. */
export interface SparseRows {
  rowCount: number;
  columnCount: number;
  offsets: Int32Array;
  columns: Int32Array;
  values: Float64Array;
}

/** Features that occur in at least `minDocuments` items, sorted so the columns do not depend on the items' order. */
export function buildVocabulary(items: readonly (readonly string[])[], minDocuments: number): string[] {
  const documents = new Map<string, number>();
  for (const features of items) for (const feature of new Set(features)) documents.set(feature, (documents.get(feature) ?? 0) + 1);
  return [...documents].filter(([, count]) => count >= minDocuments).map(([feature]) => feature).sort();
}

export function encodeRows(items: readonly (readonly string[])[], vocabulary: readonly string[], weighting: FeatureWeighting): SparseRows {
  const columnOf = new Map(vocabulary.map((feature, column) => [feature, column]));
  const offsets = new Int32Array(items.length + 1);
  const columns: number[] = [];
  const values: number[] = [];
  items.forEach((features, row) => {
    const entries: [number, number][] = [];
    for (const [feature, value] of featureValues(features, weighting)) {
      const column = columnOf.get(feature);
      if (column !== undefined) entries.push([column, value]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    for (const [column, value] of entries) {
      columns.push(column);
      values.push(value);
    }
    offsets[row + 1] = columns.length;
  });
  return { rowCount: items.length, columnCount: vocabulary.length, offsets, columns: Int32Array.from(columns), values: Float64Array.from(values) };
}

/** The rows listed, in that order (a fold's training part). */
export function selectRows(rows: SparseRows, picked: readonly number[]): SparseRows {
  const offsets = new Int32Array(picked.length + 1);
  let size = 0;
  picked.forEach((row, index) => {
    size += rows.offsets[row + 1]! - rows.offsets[row]!;
    offsets[index + 1] = size;
  });
  const columns = new Int32Array(size);
  const values = new Float64Array(size);
  picked.forEach((row, index) => {
    const start = rows.offsets[row]!;
    const end = rows.offsets[row + 1]!;
    columns.set(rows.columns.subarray(start, end), offsets[index]!);
    values.set(rows.values.subarray(start, end), offsets[index]!);
  });
  return { rowCount: picked.length, columnCount: rows.columnCount, offsets, columns, values };
}

/** bias + row · weights for every row. */
export function linearScores(rows: SparseRows, weights: Float64Array, bias: number): Float64Array {
  const scores = new Float64Array(rows.rowCount);
  for (let row = 0; row < rows.rowCount; row += 1) {
    let sum = bias;
    for (let entry = rows.offsets[row]!; entry < rows.offsets[row + 1]!; entry += 1) sum += rows.values[entry]! * weights[rows.columns[entry]!]!;
    scores[row] = sum;
  }
  return scores;
}
