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
/// Which proposals a frame gets is `ProposalGenerator.proposals(for:preferring:)`' job
/// (candidates over unchanged pixels first, judged by `Frame.hasUnchangedEntry(near:)`); this
/// class decides which of them need encoding. Per frame: `beginFrame` returns the frame's
/// handle, and both questions are asked of the handle, so they cannot be asked of no frame.
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
///    samples is at most `threshold`. A mean, not a maximum: people walking through a small
///    part of a large crop barely move its embedding, and on a busy static scene a per-cell
///    limit re-encodes most large crops (on vtest.avi an 80-level cell limit cost about a
///    quarter of the reuse).
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
        /// shift, in levels (0–255) over all samples, that still reuses. 4 ≈ a change of 60
        /// levels (a person against the ground) over 7% of the crop, or codec noise (≈ 1 level
        /// per 8×8 cell on vtest.avi) plus a smaller one. Measured on vtest.avi, every 5th
        /// frame, 20 detected frames (the first can reuse nothing), share of crops reused:
        /// 2 → 40%, 3 → 47%, 4 → 55% (README, "Video").
        public var threshold: Float = 4
        /// Largest uniform shift of a channel's mean (levels) that still reuses.
        public var offsetThreshold: Float = 4
        /// Least IoU between a proposal and a cached box for the cached box to stand in for it.
        public var matchIoU: Float = 0.9
        /// Calls (processed frames) an entry survives without being used.
        public var maxAge = 10
        /// Most cached entries; the least recently used go first.
        public var maxEntries = 4000

        public init() {}

        /// Throws a one-line `DetectionError` for an out-of-range value.
        public func validate() throws {
            for (name, v) in [("threshold", threshold), ("offset threshold", offsetThreshold)] {
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
    private var frame: FrameState?
    private var nextFrameID = 0

    /// One frame's view of the cache, returned by `beginFrame`: its questions compare the cache
    /// with that frame's pixels. A handle stays valid after a later `beginFrame` (it is then
    /// compared with its own frame again, at the cost of recomputing its verdicts).
    public final class Frame {
        private let owner: EmbeddingReuse
        fileprivate let state: FrameState

        fileprivate init(owner: EmbeddingReuse, state: FrameState) {
            self.owner = owner
            self.state = state
        }

        /// Whether a cached entry could stand in for `box` in this frame (a near-duplicate box
        /// whose pixels did not change).
        public func hasUnchangedEntry(near box: Box) -> Bool {
            owner.activate(state)
            guard let e = owner.bestEntry(for: box) else { return false }
            return owner.unchanged(e)
        }

        /// `EmbeddingReuse.embeddings(for:in:contextMargin:encode:)` on this frame.
        public func embeddings(for boxes: [Box], encode: ([Box]) throws -> [[Float]]) rethrows -> (boxes: [Box], embeddings: [[Float]]) {
            owner.activate(state)
            return try owner.embeddings(for: boxes, encode: encode)
        }
    }

    /// The frame being worked on: its colour integral and the per-entry verdicts so far.
    fileprivate struct FrameState {
        var id: Int
        var integral: ColorIntegral
        var contextMargin: Float
        var verdicts: [Int: Bool] = [:]
    }

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
    /// return one embedding per box. Same as `beginFrame(...).embeddings(for:encode:)`.
    public func embeddings(for boxes: [Box], in image: RGBImage, contextMargin: Float,
                           encode: ([Box]) throws -> [[Float]]) rethrows -> (boxes: [Box], embeddings: [[Float]]) {
        try beginFrame(image, contextMargin: contextMargin).embeddings(for: boxes, encode: encode)
    }

    /// Starts a frame (one step of the entries' age clock) and returns its handle, whose
    /// questions compare the cache with `image`'s pixels.
    public func beginFrame(_ image: RGBImage, contextMargin: Float) -> Frame {
        clock += 1
        nextFrameID += 1
        let state = FrameState(id: nextFrameID, integral: ColorIntegral(image), contextMargin: contextMargin)
        frame = state
        return Frame(owner: self, state: state)
    }

    /// Makes `state` the frame the cache is compared with (verdicts are per frame).
    private func activate(_ state: FrameState) {
        if frame?.id != state.id { frame = state }
    }

    private func embeddings(for boxes: [Box], encode: ([Box]) throws -> [[Float]]) rethrows -> (boxes: [Box], embeddings: [[Float]]) {
        guard let frame else { return (boxes, try encode(boxes)) }
        var outBoxes = boxes
        var result = [[Float]?](repeating: nil, count: boxes.count)
        var missing: [Int] = []
        for (i, box) in boxes.enumerated() {
            if let e = bestEntry(for: box), unchanged(e) {
                outBoxes[i] = entries[e].box
                result[i] = entries[e].embedding
                entries[e].lastUsed = clock
            } else {
                missing.append(i)
            }
        }
        if !missing.isEmpty {
            let fresh = try encode(missing.map { boxes[$0] })
            precondition(fresh.count == missing.count, "encode must return one embedding per box")
            var added: [Entry] = []
            for (k, i) in missing.enumerated() {
                result[i] = fresh[k]
                let signature = frame.integral.signature(of: CropSampler.squareRegion(for: boxes[i], contextMargin: frame.contextMargin))
                added.append(Entry(box: boxes[i], signature: signature, embedding: fresh[k], lastUsed: clock))
            }
            // Verdicts are per entry index; inserting may reuse indices, so forget them.
            self.frame?.verdicts = [:]
            for entry in added { insert(entry) }
        }
        encodesMade += missing.count
        encodesSaved += boxes.count - missing.count
        evict()
        self.frame?.verdicts = [:]
        return (outBoxes, result.map { $0! })
    }

    /// Whether entry `e`'s pixels are unchanged in the current frame (computed once per frame).
    private func unchanged(_ e: Int) -> Bool {
        guard let frame else { return false }
        if let v = frame.verdicts[e] { return v }
        let now = frame.integral.signature(of: CropSampler.squareRegion(for: entries[e].box, contextMargin: frame.contextMargin))
        let v = Self.matches(now, entries[e].signature, options)
        self.frame?.verdicts[e] = v
        return v
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
            total += abs(now[i] - then[i] - shift[i % 3])
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
