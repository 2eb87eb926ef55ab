/// A run of consecutive rows of the activation matrix that attend to each other: one image's
/// patch tokens, or one text's tokens (texts are packed without padding).
struct Segment {
    var start: Int
    var length: Int
    /// Rows of the segment whose outputs are wanted, relative to `start`. All of them, except
    /// in a tower's last layer, where only the pooled row (CLS / EOS) is computed.
    var queries: Range<Int>
    /// Row of the context/output buffer the first query writes to.
    var outputRow: Int

    init(start: Int, length: Int) {
        self.start = start
        self.length = length
        queries = 0..<length
        outputRow = start
    }

    /// The same keys, but only `row` (relative to `start`) as a query, written to `outputRow`.
    func pooled(row: Int, outputRow: Int) -> Segment {
        var s = self
        s.queries = row..<(row + 1)
        s.outputRow = outputRow
        return s
    }
}

/// Texts packed one after another with no padding, one `Segment` per text: what both text
/// towers (CLIP's causal one, Chinese-CLIP's BERT) run their encoders on.
struct PackedTexts {
    let segments: [Segment]
    /// Total tokens: the rows of the packed activation matrix.
    let rows: Int
    /// The longest text (at least 1).
    let maxLength: Int

    init(_ texts: [[Int32]]) {
        var segments: [Segment] = []
        var rows = 0
        for ids in texts {
            segments.append(Segment(start: rows, length: ids.count))
            rows += ids.count
        }
        self.segments = segments
        self.rows = rows
        maxLength = texts.map(\.count).max() ?? 1
    }

    /// Token embeddings: x[row] = table[id] + shared + positions[position in its text], summed
    /// in that order (as transformers adds them). x: [rows, d]; table: [V, d];
    /// positions: [maxPositions, d]; shared: [d] (BERT's token type 0) or nil.
    func embed(_ texts: [[Int32]], table: UnsafePointer<Float>, positions: UnsafePointer<Float>,
               shared: UnsafePointer<Float>?, dim d: Int, into x: UnsafeMutablePointer<Float>) {
        for (ti, ids) in texts.enumerated() {
            for (pos, id) in ids.enumerated() {
                let dst = x + (segments[ti].start + pos) * d
                let tok = table + Int(id) * d, p = positions + pos * d
                if let shared {
                    for j in 0..<d { dst[j] = tok[j] + shared[j] + p[j] }
                } else {
                    for j in 0..<d { dst[j] = tok[j] + p[j] }
                }
            }
        }
    }
}
