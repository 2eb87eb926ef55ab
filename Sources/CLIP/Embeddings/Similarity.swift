import CBLAS

/// Embedding arithmetic shared by classification, detection and search.
public enum Similarity {
    /// `v / ‖v‖` (a zero vector stays zero).
    public static func normalized(_ v: [Float]) -> [Float] {
        var s: Float = 0
        for x in v { s += x * x }
        let n = s.squareRoot()
        return n > 0 ? v.map { $0 / n } : v
    }

    /// Cosine similarity of two vectors of equal length.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "cosine needs vectors of equal length")
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in 0..<a.count { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i] }
        let d = (na * nb).squareRoot()
        return d > 0 ? dot / d : 0
    }

    /// `scale · cos(aᵢ, bⱼ)` for all pairs, as one GEMM of the normalised matrices.
    /// Returns `[a.count][b.count]`.
    public static func scaledCosine(_ a: [[Float]], _ b: [[Float]], scale: Float) -> [[Float]] {
        guard let dim = a.first?.count ?? b.first?.count, !a.isEmpty, !b.isEmpty else {
            return a.map { _ in [] }
        }
        let na = a.flatMap { normalized($0) }, nb = b.flatMap { normalized($0) }
        precondition(na.count == a.count * dim && nb.count == b.count * dim, "embeddings must share one dimension")
        var out = [Float](repeating: 0, count: a.count * b.count)
        // out: [a, b] = scale · A[a, dim] · B[b, dim]ᵀ
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(a.count), Int32(b.count), Int32(dim),
                    scale, na, Int32(dim), nb, Int32(dim), 0, &out, Int32(b.count))
        return (0..<a.count).map { Array(out[($0 * b.count)..<(($0 + 1) * b.count)]) }
    }

    /// Softmax of one row of logits.
    public static func softmax(_ logits: [Float]) -> [Float] {
        guard let m = logits.max() else { return [] }
        let e = logits.map { Float(exp(Double($0 - m))) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }
}

#if canImport(Glibc)
import Glibc
#endif
