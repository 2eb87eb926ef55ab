import CLIP

/// Skips re-encoding crops whose pixels barely changed since they were encoded — the common
/// case on a static camera, where most proposals cover background.
///
/// ```swift
/// let reuse = try EmbeddingReuse()
/// let (boxes, embeddings) = reuse.embeddings(for: proposals, in: frame, contextMargin: 0.15) { missing in
///     detector.embedRegions(frame, boxes: missing, timings: &timings)
/// }
/// print(reuse.encodesMade, reuse.encodesSaved)
/// ```
///
/// Rule. Each encoded crop is cached with its box and a *signature*: a colour thumbnail (mean
/// R, G, B per cell, 0–255; 16×16 cells, fewer for crops under 128 px so that a cell spans at
/// least 8×8 pixels and averages out pixel noise) of the square context region the encoder saw.
/// A new proposal is served from the cache when
/// 1. a cached box overlaps it with IoU ≥ `matchIoU` (0.9, the IoU at which `ProposalGenerator`
///    already calls two boxes duplicates; an identical box always wins) — selective search
///    re-draws a region's box a few pixels off from frame to frame, sliding windows don't; and
/// 2. the pixels under that *cached* box changed little since it was encoded: comparing the
///    cached signature with the same region's signature in this frame, per channel, the mean
///    difference (a uniform brightness shift, as a camera's exposure drifts) is at most
///    `offsetThreshold`, and after removing it the mean absolute difference over all
///    samples is at most `threshold` and no single sample differs by more than
///    `cellThreshold` (a small object entering a large crop moves few cells a lot).
/// The proposal is then replaced by the cached box with its embedding — the embedding of
/// exactly that box's crop, taken when its pixels differed from today's by no more than the
/// thresholds. Otherwise the proposal is encoded and cached (replacing an entry with the same
/// box). Entries keep the signature of the pixels they were computed from (a reuse does not
/// refresh it), so no drift builds up through chains of small changes; an entry unused for
/// `maxAge` calls is dropped, and at most `maxEntries` are kept.
///
/// Consequences: proposals identical to cached boxes over identical pixels get exactly the
/// cached boxes and embeddings, bit for bit what encoding them again gives — a frame equal to
/// the one the cache was filled from has exactly the detections it would have without reuse.
/// Not thread-safe.
public final class EmbeddingReuse {
    public struct Options: Sendable, Equatable {
        /// Largest mean absolute signature difference, after removing each channel's mean
        /// shift, in levels (0–255) over all samples, that still reuses.
        public var threshold: Float = 1.0
        /// Largest uniform shift of a channel's mean (levels) that still reuses.
        public var offsetThreshold: Float = 4
        /// Largest difference of any one sample (after the shift) that still reuses.
        public var cellThreshold: Float = 40
        /// Least IoU between a proposal and a cached box for the cached box to stand in for it.
        public var matchIoU: Float = 0.9
        /// Calls (processed frames) an entry survives without being used.
        public var maxAge = 10
        /// Most cached entries; the least recently used go first.
        public var maxEntries = 4000

        public init() {}

        /// Throws a one-line `DetectionError` for an out-of-range value.
        public func validate() throws {
            for (name, v) in [("threshold", threshold), ("offset threshold", offsetThreshold), ("cell threshold", cellThreshold)] {
                guard v >= 0, v.isFinite else { throw DetectionError("reuse \(name) \(v) must be ≥ 0") }
            }
            guard matchIoU > 0, matchIoU <= 1 else { throw DetectionError("reuse match IoU \(matchIoU) must be in (0, 1]") }
            guard maxAge >= 1, maxEntries >= 1 else { throw DetectionError("reuse cache age and size must be ≥ 1") }
        }
    }

    struct Entry {
        var box: Box
        var signature: [Float]
        var embedding: [Float]
        var lastUsed: Int
    }

    public let options: Options
    /// Crops encoded through this cache.
    public private(set) var encodesMade = 0
    /// Proposals served from the cache instead of encoded.
    public private(set) var encodesSaved = 0
    private var entries: [Entry] = []
    private var clock = 0

    /// - Throws: `DetectionError` when an option is out of range.
    public init(options: Options = Options()) throws {
        try options.validate()
        self.options = options
    }

    /// Entries currently cached.
    public var count: Int { entries.count }

    /// Boxes and embeddings for the proposals `boxes` in `image`, in order: `boxes[i]` itself
    /// with a fresh embedding, or the cached box standing in for it with its cached embedding
    /// (see the rule above). `encode` gets the boxes that need encoding, in order, and must
    /// return one embedding per box.
    public func embeddings(for boxes: [Box], in image: RGBImage, contextMargin: Float,
                           encode: ([Box]) throws -> [[Float]]) rethrows -> (boxes: [Box], embeddings: [[Float]]) {
        clock += 1
        let integral = ColorIntegral(image)
        var outBoxes = boxes
        var result = [[Float]?](repeating: nil, count: boxes.count)
        var verdicts: [Int: Bool] = [:]  // entry index → its pixels still match (one check per entry)
        var missing: [Int] = []
        for (i, box) in boxes.enumerated() {
            if let e = bestEntry(for: box) {
                let unchanged = verdicts[e] ?? {
                    let now = integral.signature(of: CropSampler.squareRegion(for: entries[e].box, contextMargin: contextMargin))
                    let v = Self.matches(now, entries[e].signature, options)
                    verdicts[e] = v
                    return v
                }()
                if unchanged {
                    outBoxes[i] = entries[e].box
                    result[i] = entries[e].embedding
                    entries[e].lastUsed = clock
                    continue
                }
            }
            missing.append(i)
        }
        if !missing.isEmpty {
            let fresh = try encode(missing.map { boxes[$0] })
            precondition(fresh.count == missing.count, "encode must return one embedding per box")
            var added: [Entry] = []
            for (k, i) in missing.enumerated() {
                result[i] = fresh[k]
                let signature = integral.signature(of: CropSampler.squareRegion(for: boxes[i], contextMargin: contextMargin))
                added.append(Entry(box: boxes[i], signature: signature, embedding: fresh[k], lastUsed: clock))
            }
            for entry in added { insert(entry) }
        }
        encodesMade += missing.count
        encodesSaved += boxes.count - missing.count
        evict()
        return (outBoxes, result.map { $0! })
    }

    /// Index of the cached entry overlapping `box` best with IoU ≥ matchIoU.
    private func bestEntry(for box: Box) -> Int? {
        var best: Int?
        var bestIoU = options.matchIoU
        for (i, e) in entries.enumerated() {
            if e.box == box { return i }
            let iou = e.box.iou(box)
            if iou >= bestIoU, best == nil || iou > bestIoU {
                best = i
                bestIoU = iou
            }
        }
        return best
    }

    /// Whether signature `now` is within the thresholds of `then` (both R,G,B interleaved).
    static func matches(_ now: [Float], _ then: [Float], _ options: Options) -> Bool {
        let cells = now.count / 3
        var shift = [Float](repeating: 0, count: 3)
        for i in 0..<now.count { shift[i % 3] += now[i] - then[i] }
        for c in 0..<3 {
            shift[c] /= Float(cells)
            if abs(shift[c]) > options.offsetThreshold { return false }
        }
        var total: Float = 0
        for i in 0..<now.count {
            let d = abs(now[i] - then[i] - shift[i % 3])
            if d > options.cellThreshold { return false }
            total += d
        }
        return total / Float(now.count) <= options.threshold
    }

    private func insert(_ entry: Entry) {
        if let same = entries.firstIndex(where: { $0.box == entry.box }) {
            entries[same] = entry
        } else {
            entries.append(entry)
        }
    }

    private func evict() {
        entries.removeAll { clock - $0.lastUsed >= options.maxAge }
        if entries.count > options.maxEntries {
            entries.sort { $0.lastUsed > $1.lastUsed }
            entries.removeLast(entries.count - options.maxEntries)
        }
    }
}
