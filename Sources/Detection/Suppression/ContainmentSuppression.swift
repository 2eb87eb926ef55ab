/// What remains after per-class NMS that still shows several boxes on one object, removed:
/// overlapping boxes of different classes, loose boxes around a confident tighter box, and
/// fragments inside a better-scored box of the same class.
///
/// ```swift
/// let tight = Detection(label: "red star", classId: 0, score: 0.9, box: Box(x1: 10, y1: 10, x2: 50, y2: 50))
/// let loose = Detection(label: "red star", classId: 0, score: 0.8, box: Box(x1: 0, y1: 0, x2: 90, y2: 90))
/// ContainmentSuppression().apply([tight, loose])        // [tight]
/// ```
///
/// Runs on NMS's output (best first); three rules, each decided against the boxes that
/// survived the rule before:
/// 1. *cross-class overlap*: walking by score, a box whose IoU with a kept box of another class
///    exceeds `crossClassIoU` goes (one label per place) — when it scores at most
///    `crossClassScoreRatio` times that box (1, the default: whenever it scores lower);
/// 2. *container*: a box goes when another box, at most `maxInnerAreaRatio` of its area, lies
///    at least `insideShare` inside it and scores at least as high (any class). A crop classifier
///    answers "what is in this crop", so a loose box around an object scores like a tight one;
///    the smaller box that scores as well is the better answer;
/// 3. *fragment*: a box that lies at least `insideShare` inside a higher-scored box of the same
///    class goes.
///
/// Measured on examples/shapes-bench (even scenes chose, odd scenes checked), shapes-tiny,
/// temperature 2, confidence 0.35, after per-class NMS at IoU 0.4
/// (AP50 / boxes per object / precision / recall at IoU 0.5):
///
///     rules                               even                     odd
///     none (NMS only)                     0.877 2.09 0.43 0.91     0.920 1.97 0.46 0.91
///     cross-class IoU 0.5 only            0.866 1.77 0.49 0.87     0.890 1.61 0.53 0.86
///     all three (chosen)                  0.872 1.31 0.67 0.87     0.890 1.15 0.74 0.85
///     all three, cross-class IoU 0.4      0.858 1.25 0.69 0.86     0.890 1.13 0.75 0.85
///     all three, container ≥ 1.2× score   0.869 1.37 0.64 0.87     0.890 1.21 0.70 0.85
///
/// (`maxInnerAreaRatio` 0.8 instead of 0.6 changed nothing here; 0.6 leaves more to NMS.)
public struct ContainmentSuppression: Sendable, Equatable {
    /// IoU above which a box of another class, lower in score, goes (rule 1).
    public var crossClassIoU: Float = 0.5
    /// Rule 1 removes the lower box only when its score is at most this share of the kept box's,
    /// in (0, 1]. 1 (default): one label per place, always. Below 1, two labels the detector
    /// scores nearly alike on one place are both reported — for a one-pass detector whose
    /// patches on one object may disagree on the class, the wrong one a little ahead:
    ///
    ///     shapes-owl, examples/shapes-bench, per-class NMS 0.3, refined; even / odd scenes
    ///     (precision, recall at IoU 0.5, boxes per object)
    ///     no containment, conf 0.45        0.764 0.840 1.10   0.779 0.779 1.00
    ///     no containment, conf 0.35        0.665 0.900 1.35   0.720 0.879 1.22
    ///     ratio 1,   conf 0.35             0.761 0.827 1.09   0.813 0.819 1.01
    ///     ratio 0.9, conf 0.35 (chosen)    0.743 0.887 1.19   0.776 0.859 1.11
    ///     ratio 0.9, conf 0.40             0.788 0.867 1.10   0.806 0.839 1.04
    ///
    /// (Chosen by `tools/shapes/eval_owl.py --choose` on the even scenes: the highest recall
    /// with precision ≥ 0.7 and ≤ 1.2 boxes per object. The crop detector keeps 1.)
    public var crossClassScoreRatio: Float = 1
    /// Share of the smaller box's area that must lie inside the larger one (rules 2 and 3).
    public var insideShare: Float = 0.8
    /// A container goes only for an inner box at most this share of its area (rule 2), so
    /// near-duplicates are left to the overlap rules.
    public var maxInnerAreaRatio: Float = 0.6

    public init() {}

    /// Containment with rule 1's score ratio set (see `crossClassScoreRatio`), other rules as default.
    public init(crossClassScoreRatio: Float) {
        self.crossClassScoreRatio = crossClassScoreRatio
    }

    /// Throws a one-line error for values out of range.
    public func validate() throws {
        for (name, v) in [("cross-class IoU", crossClassIoU), ("inside share", insideShare), ("inner area ratio", maxInnerAreaRatio)]
        where !(v >= 0 && v <= 1) {
            throw DetectionError("containment suppression: \(name) \(v) must be in [0, 1]")
        }
        guard crossClassScoreRatio > 0, crossClassScoreRatio <= 1 else {
            throw DetectionError("containment suppression: cross-class score ratio \(crossClassScoreRatio) must be in (0, 1]")
        }
    }

    /// The detections that survive the three rules, in their input order.
    /// - Parameter detections: NMS output, best first.
    /// - Complexity: O(n²) box comparisons for n detections (n is NMS's output, ≤ a few hundred).
    public func apply(_ detections: [Detection]) -> [Detection] {
        var kept: [Detection] = []
        for d in detections where !kept.contains(where: {
            $0.classId != d.classId && d.score <= crossClassScoreRatio * $0.score && $0.box.iou(d.box) > crossClassIoU
        }) {
            kept.append(d)
        }
        let areas = kept.map(\.box.area)
        var drop = [Bool](repeating: false, count: kept.count)
        for i in kept.indices {
            for j in kept.indices where j != i {
                let inter = kept[i].box.intersectionArea(kept[j].box)
                // j inside i, clearly smaller, scoring as well: i is loose around j.
                if inter >= insideShare * areas[j], areas[j] <= maxInnerAreaRatio * areas[i], kept[j].score >= kept[i].score {
                    drop[i] = true
                    break
                }
                // i a fragment of the better-scored same-class box j.
                if kept[j].classId == kept[i].classId, inter >= insideShare * areas[i], kept[j].score > kept[i].score {
                    drop[i] = true
                    break
                }
            }
        }
        return kept.indices.filter { !drop[$0] }.map { kept[$0] }
    }
}
