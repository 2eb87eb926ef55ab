import CBLAS

extension Similarity {
    /// One search hit: a row of the matrix and its dot product with the query.
    public struct Hit: Equatable, Sendable {
        /// Row index in the matrix.
        public var index: Int
        /// Dot product of the row with the query (the cosine when both are unit vectors).
        public var score: Float

        public init(index: Int, score: Float) {
            self.index = index
            self.score = score
        }
    }

    /// The `k` rows of `matrix` with the highest dot product with `query`, best first.
    ///
    /// ```swift
    /// // 100,000 unit-length 512-d embeddings, row-major in one buffer:
    /// let hits = Similarity.topK(query: q, matrix: rows, count: 100_000, k: 10)
    /// ```
    ///
    /// All scores come from one `cblas_sgemv` over the contiguous matrix; the best `k` are then
    /// picked with a size-`k` min-heap (O(n log k)), not a full sort. Ties keep the lower index
    /// first, so results are deterministic.
    ///
    /// - Precondition: `query.count > 0`, `matrix.count == count * query.count`, `k >= 0`.
    /// - Returns: `min(k, count)` hits, highest score first.
    public static func topK(query: UnsafeBufferPointer<Float>, matrix: UnsafeBufferPointer<Float>,
                            count: Int, k: Int) -> [Hit] {
        let dim = query.count
        precondition(dim > 0 && matrix.count == count * dim, "topK: matrix must hold count × query.count floats")
        precondition(k >= 0, "topK: k must be ≥ 0")
        let keep = min(k, count)
        guard keep > 0 else { return [] }
        let scores = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        defer { scores.deallocate() }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(count), Int32(dim), 1, matrix.baseAddress, Int32(dim),
                    query.baseAddress, 1, 0, scores.baseAddress, 1)
        return select(UnsafeBufferPointer(scores), k: keep)
    }

    /// Array convenience for `topK(query:matrix:count:k:)`.
    public static func topK(query: [Float], matrix: [Float], count: Int, k: Int) -> [Hit] {
        query.withUnsafeBufferPointer { q in
            matrix.withUnsafeBufferPointer { m in topK(query: q, matrix: m, count: count, k: k) }
        }
    }

    /// The `k` largest of `scores` (1 ≤ k ≤ scores.count), best first, ties by lower index.
    static func select(_ scores: UnsafeBufferPointer<Float>, k: Int) -> [Hit] {
        // heap[0] is the worst of the kept hits; a candidate only enters by beating it.
        var heap = [Hit]()
        heap.reserveCapacity(k)
        func worse(_ a: Hit, _ b: Hit) -> Bool { a.score < b.score || (a.score == b.score && a.index > b.index) }
        func siftDown(_ h: inout [Hit], _ start: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < h.count, worse(h[l], h[m]) { m = l }
                if r < h.count, worse(h[r], h[m]) { m = r }
                if m == i { return }
                h.swapAt(i, m)
                i = m
            }
        }
        for i in 0..<k { heap.append(Hit(index: i, score: scores[i])) }
        for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(&heap, i) }
        var threshold = heap[0].score
        for i in k..<scores.count {
            let s = scores[i]
            // Equal scores lose to the kept hit (lower index), so only strictly better ones enter;
            // NaN compares false and never enters.
            if s > threshold {
                heap[0] = Hit(index: i, score: s)
                siftDown(&heap, 0)
                threshold = heap[0].score
            }
        }
        return heap.sorted { worse($1, $0) }
    }
}
