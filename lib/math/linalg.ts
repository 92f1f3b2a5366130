// Small dense linear algebra for the fits (normal equations of a few parameters). Hand-written
// Gaussian elimination rather than ml-matrix's LU: the fits' outputs are pinned to the last
// bit by the golden tests, and for 2–8 unknowns this is as accurate and allocation-light.

/** Solves A x = b by Gaussian elimination with partial pivoting; null if singular. A and b are
 *  left as they are. */
export function solve(A: ArrayLike<ArrayLike<number>>, b: ArrayLike<number>): Float64Array | null {
  const n = b.length;
  const M = Array.from({length: n}, (_, i) => {
    const row = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) row[j] = A[i][j];
    row[n] = b[i];
    return row;
  });
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    if (!(Math.abs(M[piv][c]) > 1e-300)) return null;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** Inverse of a square matrix, column by column with `solve`; null if singular. */
export function invert(A: ArrayLike<ArrayLike<number>>): number[][] | null {
  const n = A.length;
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const x = solve(A, e);
    if (!x) return null;
    cols.push(x);
  }
  return Array.from({length: n}, (_, i) => cols.map((c) => c[i]));
}
