import RealModule

/// A plain multi-sequence batch Baum–Welch for Gaussian-emission HMMs, written for the tests from the textbook
/// recursions (Rabiner 1989, scaled forward–backward), independent of the package's filters and learners.
struct GaussianBaumWelch {
    var transition: [[Double]]
    var initial: [Double]
    var means: [Double]
    var variances: [Double]
    var states: Int { means.count }

    func density(_ y: Double, _ x: Int) -> Double {
        let r = y - means[x]
        return Double.exp(-r * r / (2 * variances[x])) / (2 * Double.pi * variances[x]).squareRoot()
    }

    /// log p(y) of every sequence, summed: the log-space forward recursion (log-sum-exp), so no value underflows.
    func logLikelihood(_ sequences: [[Double]]) -> Double {
        let d = states
        var total = 0.0
        for ys in sequences {
            func logN(_ y: Double, _ x: Int) -> Double {
                let r = y - means[x]
                return -0.5 * Double.log(2 * Double.pi * variances[x]) - r * r / (2 * variances[x])
            }
            func lse(_ v: [Double]) -> Double {
                let top = v.max()!
                return top + Double.log(v.reduce(0) { $0 + Double.exp($1 - top) })
            }
            var la = (0..<d).map { Double.log(initial[$0]) + logN(ys[0], $0) }
            for y in ys.dropFirst() {
                la = (0..<d).map { j in lse((0..<d).map { i in la[i] + Double.log(transition[i][j]) }) + logN(y, j) }
            }
            total += lse(la)
        }
        return total
    }

    /// One EM iteration over all sequences (each starting from μ); returns the log-likelihood before the update.
    mutating func iterate(_ sequences: [[Double]]) -> Double {
        let d = states
        var gamma0 = [Double](repeating: 0, count: d), xi = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        var w = [Double](repeating: 0, count: d), s1 = w, s2 = w
        var logL = 0.0
        for ys in sequences {
            let T = ys.count
            let b = ys.map { y in (0..<d).map { density(y, $0) } }
            var alpha = [[Double]](repeating: [Double](repeating: 0, count: d), count: T), c = [Double](repeating: 0, count: T)
            for t in 0..<T {
                for j in 0..<d {
                    let prior = t == 0 ? initial[j] : (0..<d).reduce(0.0) { $0 + alpha[t - 1][$1] * transition[$1][j] }
                    alpha[t][j] = prior * b[t][j]
                }
                c[t] = alpha[t].reduce(0, +)
                alpha[t] = alpha[t].map { $0 / c[t] }
                logL += Double.log(c[t])
            }
            var beta = [[Double]](repeating: [Double](repeating: 1, count: d), count: T)
            for t in stride(from: T - 2, through: 0, by: -1) {
                for i in 0..<d {
                    beta[t][i] = (0..<d).reduce(0.0) { $0 + transition[i][$1] * b[t + 1][$1] * beta[t + 1][$1] } / c[t + 1]
                }
            }
            for t in 0..<T {
                for i in 0..<d {
                    let g = alpha[t][i] * beta[t][i]
                    if t == 0 { gamma0[i] += g }
                    w[i] += g
                    s1[i] += g * ys[t]
                    s2[i] += g * ys[t] * ys[t]
                    if t + 1 < T {
                        for j in 0..<d { xi[i][j] += alpha[t][i] * transition[i][j] * b[t + 1][j] * beta[t + 1][j] / c[t + 1] }
                    }
                }
            }
        }
        let n = gamma0.reduce(0, +)
        initial = gamma0.map { $0 / n }
        transition = xi.map { row in let s = row.reduce(0, +); return row.map { $0 / s } }
        means = (0..<d).map { s1[$0] / w[$0] }
        variances = (0..<d).map { s2[$0] / w[$0] - means[$0] * means[$0] }
        return logL
    }

    /// Iterates until the training log-likelihood gains less than `tolerance` (at most `limit` iterations).
    mutating func fit(_ sequences: [[Double]], tolerance: Double = 1e-10, limit: Int = 500) -> Int {
        var last = -Double.infinity
        for k in 1...limit {
            let logL = iterate(sequences)
            if logL - last < tolerance * abs(logL) { return k }
            last = logL
        }
        return limit
    }
}
