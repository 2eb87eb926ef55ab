/// Links detections across video frames into tracks with stable ids.
///
/// ```swift
/// let tracker = Tracker()
/// for frame in frames {
///     let tracked = tracker.update(try detector.detect(frame))   // each has a trackId
/// }
/// ```
///
/// Rules, applied on every `update` (one call per processed frame):
/// 1. **Matching**: a detection may continue a live track of the same class whose last box
///    overlaps it with IoU ≥ `matchIoU`. Pairs are taken greedily, highest IoU first (ties:
///    older track, then earlier detection), each track and detection used once.
/// 2. **New tracks**: an unmatched detection starts a *tentative* track.
/// 3. **Confirmation** (suppresses one-frame flickers): a track is reported only once it has
///    been matched in `minHits` frames in a row; only then does it get an id, so ids are
///    1, 2, 3… in order of confirmation with no gaps left by flickers. A tentative track
///    missed once is dropped.
/// 4. **Gaps**: a confirmed track missed in a frame is not reported for that frame but stays
///    alive, with its last box, for up to `maxMisses` frames in a row; a match within that time
///    continues it under the same id (an object briefly lost keeps its id). Then it is dropped.
/// 5. **Scores**: the reported score is an exponential moving average over the track's
///    matched frames, `s ← α · score + (1 − α) · s` with α = `scoreSmoothing` (first: the raw
///    score). The box is the frame's own detection box, not smoothed.
/// Output: the reported detections, best smoothed score first.
public final class Tracker {
    public struct Options: Sendable, Equatable {
        /// Least IoU between a track's last box and a detection for them to match.
        public var matchIoU: Float = 0.3
        /// Consecutive matched frames before a track is reported (1 reports at once).
        public var minHits = 2
        /// Frames a confirmed track may go unmatched before it is dropped.
        public var maxMisses = 3
        /// Weight of the newest score in the moving average, in (0, 1] (1: no smoothing).
        public var scoreSmoothing: Float = 0.5

        public init() {}

        /// Throws a one-line `DetectionError` for an out-of-range value.
        public func validate() throws {
            guard matchIoU > 0, matchIoU <= 1 else { throw DetectionError("tracker match IoU \(matchIoU) must be in (0, 1]") }
            guard minHits >= 1 else { throw DetectionError("tracker minimum hits \(minHits) must be ≥ 1") }
            guard maxMisses >= 0 else { throw DetectionError("tracker maximum misses \(maxMisses) must be ≥ 0") }
            guard scoreSmoothing > 0, scoreSmoothing <= 1 else {
                throw DetectionError("tracker score smoothing \(scoreSmoothing) must be in (0, 1]")
            }
        }
    }

    struct Track {
        var serial: Int          // creation order, for deterministic tie-breaks
        var id: Int?             // assigned at confirmation
        var classId: Int
        var box: Box
        var score: Float
        var hits = 1
        var misses = 0
    }

    public let options: Options
    private var tracks: [Track] = []
    private var nextSerial = 0
    private var nextId = 1

    /// - Throws: `DetectionError` when an option is out of range.
    public init(options: Options = Options()) throws {
        try options.validate()
        self.options = options
    }

    /// Live tracks (tentative and confirmed), for tests and diagnostics.
    public var liveTrackCount: Int { tracks.count }

    /// Feeds one frame's detections; returns the ones on confirmed tracks, with `trackId` set
    /// and the smoothed score, best first.
    public func update(_ detections: [Detection]) -> [Detection] {
        var pairs: [(iou: Float, track: Int, detection: Int)] = []
        for (t, track) in tracks.enumerated() {
            for (d, det) in detections.enumerated() where det.classId == track.classId {
                let iou = track.box.iou(det.box)
                if iou >= options.matchIoU { pairs.append((iou, t, d)) }
            }
        }
        pairs.sort {
            if $0.iou != $1.iou { return $0.iou > $1.iou }
            if tracks[$0.track].serial != tracks[$1.track].serial { return tracks[$0.track].serial < tracks[$1.track].serial }
            return $0.detection < $1.detection
        }
        var trackMatch = [Int?](repeating: nil, count: tracks.count)
        var detectionUsed = [Bool](repeating: false, count: detections.count)
        for p in pairs where trackMatch[p.track] == nil && !detectionUsed[p.detection] {
            trackMatch[p.track] = p.detection
            detectionUsed[p.detection] = true
        }

        var reported: [Detection] = []
        var survivors: [Track] = []
        let a = options.scoreSmoothing
        for (t, var track) in tracks.enumerated() {
            if let d = trackMatch[t] {
                let det = detections[d]
                track.box = det.box
                track.score = a * det.score + (1 - a) * track.score
                track.hits += 1
                track.misses = 0
                confirmIfDue(&track)
                if let id = track.id {
                    var out = det
                    out.score = track.score
                    out.trackId = id
                    reported.append(out)
                }
                survivors.append(track)
            } else if track.id != nil {
                track.misses += 1
                track.hits = 0
                if track.misses <= options.maxMisses { survivors.append(track) }
            }
            // An unmatched tentative track is a flicker: dropped.
        }
        for (d, det) in detections.enumerated() where !detectionUsed[d] {
            var track = Track(serial: nextSerial, id: nil, classId: det.classId, box: det.box, score: det.score)
            nextSerial += 1
            confirmIfDue(&track)
            if let id = track.id {
                var out = det
                out.trackId = id
                reported.append(out)
            }
            survivors.append(track)
        }
        tracks = survivors
        return reported.sorted { $0.score != $1.score ? $0.score > $1.score : ($0.trackId ?? 0) < ($1.trackId ?? 0) }
    }

    private func confirmIfDue(_ track: inout Track) {
        if track.id == nil, track.hits >= options.minHits {
            track.id = nextId
            nextId += 1
        }
    }
}
