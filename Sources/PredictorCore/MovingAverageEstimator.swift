/// How a forecaster estimates its MA coefficients (`ma_estimator`).
///
/// Both regress zₜ on the past residuals; they differ in the gain direction. Extended least squares uses the
/// features themselves; recursive maximum likelihood uses the prediction-error gradient ψ = f / C(B), which makes
/// the recursion a Gauss–Newton step on the prediction-error criterion, so it converges to the maximum-likelihood
/// (conditional least-squares) MA coefficients where ELS is biased (Ljung & Söderström, *Theory and Practice of
/// Recursive Identification*, 1983, §3.7 and §6.6; docs/math.md, "MA terms").
public enum MovingAverageEstimator: String, Sendable, Equatable, CaseIterable {
    /// `els`: gain along the features (the estimator before `ma_estimator` existed).
    case extendedLeastSquares = "els"
    /// `rml`: gain along the gradient ψ, filtered by the current MA polynomial while it is safely invertible.
    case recursiveMaximumLikelihood = "rml"
}
