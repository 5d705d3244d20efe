/**
 * Whether a factor L gives the covariance (Sigma = L L^T) or the precision (Sigma^-1 = L L^T).
 * The fused heads compute with it; a parameterization declares it (parameterizations/types.ts).
 */
export type FactorOf = 'covariance' | 'precision';

/** What a fused head needs of a parameterization. */
export interface FactorKind {
  factorOf: FactorOf;
}
