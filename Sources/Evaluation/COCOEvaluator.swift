import Detection
import Foundation

/// The twelve COCO bbox summary numbers plus per-category AP, as pycocotools reports them.
/// A value of -1 means "nothing to measure" (no non-crowd ground truth in that setting).
public struct COCOMetrics: Sendable, Codable, Equatable {
    /// AP@[.50:.05:.95], area all, 100 detections per image.
    public var ap: Double
    public var ap50: Double
    public var ap75: Double
    public var apSmall: Double
    public var apMedium: Double
    public var apLarge: Double
    /// AR@[.50:.05:.95] with at most 1 / 10 / 100 detections per image.
    public var ar1: Double
    public var ar10: Double
    public var ar100: Double
    public var arSmall: Double
    public var arMedium: Double
    public var arLarge: Double
    /// AP@[.50:.05:.95] per category id (area all, 100 detections): the mean of
    /// `eval['precision'][:, :, k, 0, 2]` over its entries > -1, or -1 when it has none.
    public var perCategory: [Int: Double]
    /// AP at IoU 0.50 per category id, from `eval['precision'][0, :, k, 0, 2]` the same way.
    public var perCategoryAP50: [Int: Double]

    public init(stats: [Double], perCategory: [Int: Double], perCategoryAP50: [Int: Double]) {
        precondition(stats.count == 12, "COCO bbox summaries have 12 numbers")
        (ap, ap50, ap75, apSmall, apMedium, apLarge) = (stats[0], stats[1], stats[2], stats[3], stats[4], stats[5])
        (ar1, ar10, ar100, arSmall, arMedium, arLarge) = (stats[6], stats[7], stats[8], stats[9], stats[10], stats[11])
        self.perCategory = perCategory
        self.perCategoryAP50 = perCategoryAP50
    }

    /// The 12 numbers in the order of pycocotools' `COCOeval.stats`.
    public var stats: [Double] {
        [ap, ap50, ap75, apSmall, apMedium, apLarge, ar1, ar10, ar100, arSmall, arMedium, arLarge]
    }
}

/// COCO bounding-box evaluation, a faithful port of pycocotools' `COCOeval(iouType="bbox")`
/// with default parameters, so numbers agree with it to floating-point summation (in practice
/// bit for bit).
///
/// ```swift
/// let gt = try COCOGroundTruth.load(from: annotationsURL)
/// let dets = try COCODetection.load(from: resultsURL, groundTruth: gt)
/// let all = COCOEvaluator.evaluate(groundTruth: gt, detections: dets)
/// let heldOut = gt.categories.filter { $0.extra["heldout"] == true }.map(\.id)
/// let unseen = COCOEvaluator.evaluate(groundTruth: gt, detections: dets, categoryIds: heldOut)
/// print(all.ap, all.ap50, unseen.ap50)
/// ```
///
/// What is reproduced (see `cocoeval.py`): detections per image and category sorted by score
/// with a stable sort and cut to 100; greedy matching per IoU threshold in that order, each
/// detection taking the best-IoU ground truth not yet taken (crowd regions can be taken any
/// number of times, crowd IoU divides by the detection area, and a detection already matched to
/// a regular object never moves on to crowd or out-of-range ones); ground truth outside the
/// area range and crowd regions are ignored, as are unmatched detections outside the range;
/// precision interpolated at 101 recall points; means over entries > -1.
public enum COCOEvaluator {
    /// `np.linspace(.5, .95, 10)`: 0.5, 0.55, …, 0.8999999999999999, 0.95, built the way numpy does.
    static let iouThresholds: [Double] = (0..<10).map { (i: Int) -> Double in
        let step: Double = (0.95 - 0.5) / 9
        return i == 9 ? 0.95 : Double(i) * step + 0.5
    }
    /// `np.linspace(0, 1, 101)`.
    static let recallThresholds: [Double] = (0...100).map { (i: Int) -> Double in
        let step: Double = 1.0 / 100
        return i == 100 ? 1 : Double(i) * step
    }
    static let maxDetections = [1, 10, 100]
    /// all, small, medium, large: `[0, 1e10], [0, 32²], [32², 96²], [96², 1e10]`, both ends inclusive.
    static let areaRanges: [(lower: Double, upper: Double)] = [(0, 1e10), (0, 1024), (1024, 9216), (9216, 1e10)]

    /// Evaluates `detections` against `groundTruth` like
    /// `COCOeval(gt, gt.loadRes(dets), "bbox")` → `evaluate()`, `accumulate()`, `summarize()`.
    ///
    /// - Parameters:
    ///   - categoryIds: restricts evaluation to these categories, exactly like setting
    ///     `params.catIds` (sorted, duplicates dropped); `nil` means every category of `groundTruth`.
    ///   - imageIds: the same for `params.imgIds`; `nil` means every image of `groundTruth`.
    /// - Precondition: detections refer to images of `groundTruth` and have finite scores
    ///   (`COCODetection.validate` checks this); detections on other images are never looked at.
    /// - Returns: the metrics; an empty detection list gives 0 wherever there is ground truth
    ///   (pycocotools itself crashes on an empty results list).
    public static func evaluate(
        groundTruth: COCOGroundTruth, detections: [COCODetection], categoryIds: [Int]? = nil, imageIds: [Int]? = nil
    ) -> COCOMetrics {
        accumulate(groundTruth: groundTruth, detections: detections, categoryIds: categoryIds, imageIds: imageIds).summary()
    }

    /// `evaluate()` + `accumulate()`: the precision and recall arrays before summarising.
    static func accumulate(
        groundTruth: COCOGroundTruth, detections: [COCODetection], categoryIds: [Int]?, imageIds: [Int]?
    ) -> COCOAccumulation {
        let cats = Array(Set(categoryIds ?? groundTruth.categories.map(\.id))).sorted()
        let imgs = Array(Set(imageIds ?? groundTruth.images.map(\.id))).sorted()
        let catIndex = Dictionary(uniqueKeysWithValues: cats.enumerated().map { ($1, $0) })
        let imgIndex = Dictionary(uniqueKeysWithValues: imgs.enumerated().map { ($1, $0) })

        // Per (category, image), indices in file order, as pycocotools' `_gts` / `_dts` lists.
        var gtCells = [[Int]](repeating: [], count: cats.count * imgs.count)
        var dtCells = [[Int]](repeating: [], count: cats.count * imgs.count)
        for (i, a) in groundTruth.annotations.enumerated() {
            if let k = catIndex[a.categoryId], let n = imgIndex[a.imageId] { gtCells[k * imgs.count + n].append(i) }
        }
        for (i, d) in detections.enumerated() {
            if let k = catIndex[d.category_id], let n = imgIndex[d.image_id] { dtCells[k * imgs.count + n].append(i) }
        }

        var result = COCOAccumulation(categoryIds: cats)
        var matcher = ImageMatcher()
        for k in 0..<cats.count {
            var merged = (0..<areaRanges.count).map { _ in MergedDetections() }
            for n in 0..<imgs.count {
                let gts = gtCells[k * imgs.count + n], dts = dtCells[k * imgs.count + n]
                if gts.isEmpty && dts.isEmpty { continue }
                matcher.load(gts.map { groundTruth.annotations[$0] }, dts.map { detections[$0] })
                for a in 0..<areaRanges.count {
                    matcher.match(areaRange: areaRanges[a], into: &merged[a])
                }
            }
            // `np.argsort(-dtScores, kind='mergesort')`: stable, so ties keep image-id order. Scores
            // and their order are the same for every area range, and the `maxDets` cuts only
            // drop entries, so one sort serves all (area, maxDets) cells.
            let scores = merged[0].scores
            let order = scores.indices.sorted { i, j in scores[i] != scores[j] ? scores[i] > scores[j] : i < j }
            for a in 0..<areaRanges.count {
                for m in 0..<maxDetections.count {
                    let kept = order.filter { merged[a].rank[$0] < maxDetections[m] }
                    result.record(merged[a], order: kept, category: k, area: a, maxDetsIndex: m)
                }
            }
        }
        return result
    }
}

/// Every evaluated detection of one (category, area range), concatenated image after image in
/// image-id order, each image's list sorted by score: the inputs of `accumulate`.
struct MergedDetections {
    var scores: [Double] = []
    /// Position within its image's sorted list, for the `maxDets` cut.
    var rank: [Int] = []
    /// Per detection, per IoU threshold (`d * T + t`): matched to a ground truth / ignored.
    var matched: [Bool] = []
    var ignored: [Bool] = []
    /// Ground truth not ignored (not crowd, inside the area range), summed over images.
    var relevantCount = 0
}

/// `computeIoU` + `evaluateImg` for one (image, category); buffers are reused across calls.
struct ImageMatcher {
    private var gts: [COCOGroundTruth.Annotation] = []
    private var dts: [COCODetection] = []
    /// `ious[d * G + g]`, ground truth in file order, detections in score order.
    private var ious: [Double] = []
    private var gtOrder: [Int] = []
    private var gtIgnored: [Bool] = []
    private var gtTaken: [Bool] = []

    mutating func load(_ groundTruth: [COCOGroundTruth.Annotation], _ detections: [COCODetection]) {
        gts = groundTruth
        // `np.argsort(-scores, kind='mergesort')[:maxDets[-1]]`: stable, so ties keep input order.
        let order = detections.indices.sorted { i, j in
            detections[i].score != detections[j].score ? detections[i].score > detections[j].score : i < j
        }
        dts = order.prefix(COCOEvaluator.maxDetections.last!).map { detections[$0] }
        ious = [Double](repeating: 0, count: dts.count * gts.count)
        for (d, det) in dts.enumerated() {
            for (g, gt) in gts.enumerated() {
                ious[d * gts.count + g] = Self.iou(det.bbox, gt.bbox, crowd: gt.iscrowd)
            }
        }
    }

    /// `maskApi.c` `bbIou`, operation for operation so results are bit-identical.
    static func iou(_ d: [Double], _ g: [Double], crowd: Bool) -> Double {
        let w = Swift.min(d[2] + d[0], g[2] + g[0]) - Swift.max(d[0], g[0])
        if w <= 0 { return 0 }
        let h = Swift.min(d[3] + d[1], g[3] + g[1]) - Swift.max(d[1], g[1])
        if h <= 0 { return 0 }
        let i = w * h, da = d[2] * d[3]
        let u = crowd ? da : da + g[2] * g[3] - i
        return i / u
    }

    mutating func match(areaRange: (lower: Double, upper: Double), into merged: inout MergedDetections) {
        let G = gts.count, D = dts.count, T = COCOEvaluator.iouThresholds.count
        // Ground truth ignored (crowd or outside the range) goes last, stable.
        gtIgnored.removeAll(keepingCapacity: true)
        for gt in gts { gtIgnored.append(gt.iscrowd || gt.area < areaRange.lower || gt.area > areaRange.upper) }
        gtOrder.removeAll(keepingCapacity: true)
        for g in 0..<G where !gtIgnored[g] { gtOrder.append(g) }
        for g in 0..<G where gtIgnored[g] { gtOrder.append(g) }
        merged.relevantCount += gtIgnored.lazy.filter { !$0 }.count

        let base = merged.scores.count
        merged.scores.append(contentsOf: dts.map(\.score))
        merged.rank.append(contentsOf: 0..<D)
        merged.matched.append(contentsOf: repeatElement(false, count: D * T))
        merged.ignored.append(contentsOf: repeatElement(false, count: D * T))
        let canMatch = G > 0 && D > 0
        for t in 0..<T {
            gtTaken.removeAll(keepingCapacity: true)
            gtTaken.append(contentsOf: repeatElement(false, count: G))
            for d in 0..<D where canMatch {
                // pycocotools starts from min(t, 1 - 1e-10): the clamp never bites for t ≤ 0.95.
                var best = COCOEvaluator.iouThresholds[t]
                var m = -1
                for g in gtOrder {
                    if gtTaken[g] && !gts[g].iscrowd { continue }
                    // Matched to a regular object already, and only ignored ones are left.
                    if m > -1 && !gtIgnored[m] && gtIgnored[g] { break }
                    let iou = ious[d * G + g]
                    if iou < best { continue }
                    best = iou
                    m = g
                }
                guard m > -1 else { continue }
                gtTaken[m] = true
                merged.ignored[(base + d) * T + t] = gtIgnored[m]
                // pycocotools records the matched annotation id and reads 0 as "unmatched".
                merged.matched[(base + d) * T + t] = gts[m].id != 0
            }
            for d in 0..<D where !merged.matched[(base + d) * T + t] {
                let area = dts[d].bbox[2] * dts[d].bbox[3]    // `loadRes`: area = w * h
                if area < areaRange.lower || area > areaRange.upper { merged.ignored[(base + d) * T + t] = true }
            }
        }
    }
}

/// `eval['precision']` `[T, R, K, A, M]` and `eval['recall']` `[T, K, A, M]` (C order), -1 where
/// a setting has no relevant ground truth.
struct COCOAccumulation {
    let categoryIds: [Int]
    var precision: [Double]
    var recall: [Double]
    private var T: Int { COCOEvaluator.iouThresholds.count }
    private var R: Int { COCOEvaluator.recallThresholds.count }
    private var K: Int { categoryIds.count }
    private var A: Int { COCOEvaluator.areaRanges.count }
    private var M: Int { COCOEvaluator.maxDetections.count }

    init(categoryIds: [Int]) {
        self.categoryIds = categoryIds
        let (t, r, k, a, m) = (COCOEvaluator.iouThresholds.count, COCOEvaluator.recallThresholds.count,
                               categoryIds.count, COCOEvaluator.areaRanges.count, COCOEvaluator.maxDetections.count)
        precision = [Double](repeating: -1, count: t * r * k * a * m)
        recall = [Double](repeating: -1, count: t * k * a * m)
    }

    func precisionIndex(t: Int, r: Int, k: Int, a: Int, m: Int) -> Int { (((t * R + r) * K + k) * A + a) * M + m }
    func recallIndex(t: Int, k: Int, a: Int, m: Int) -> Int { ((t * K + k) * A + a) * M + m }

    /// The body of `accumulate()` for one (category, area range, maxDets); `order` lists the
    /// detections kept by the `maxDets` cut, highest score first.
    mutating func record(_ merged: MergedDetections, order: [Int], category k: Int, area a: Int, maxDetsIndex m: Int) {
        let npig = Double(merged.relevantCount)
        guard npig > 0 else { return }
        let nd = order.count, T = self.T, R = self.R
        var rc = [Double](repeating: 0, count: nd), pr = [Double](repeating: 0, count: nd)
        let thresholds = COCOEvaluator.recallThresholds
        merged.matched.withUnsafeBufferPointer { matched in
        merged.ignored.withUnsafeBufferPointer { ignored in
        order.withUnsafeBufferPointer { order in
        rc.withUnsafeMutableBufferPointer { rc in
        pr.withUnsafeMutableBufferPointer { pr in
            for t in 0..<T {
                var tp = 0.0, fp = 0.0
                for i in 0..<nd {
                    let j = order[i] * T + t
                    if !ignored[j] {
                        if matched[j] { tp += 1 } else { fp += 1 }
                    }
                    rc[i] = tp / npig
                    pr[i] = tp / (fp + tp + Double.ulpOfOne)    // np.spacing(1)
                }
                recall[recallIndex(t: t, k: k, a: a, m: m)] = nd > 0 ? rc[nd - 1] : 0
                // Interpolated precision: the best precision at any higher recall.
                if nd > 1 { for i in stride(from: nd - 1, to: 0, by: -1) where pr[i] > pr[i - 1] { pr[i - 1] = pr[i] } }
                // `np.searchsorted(rc, recThrs, side='left')`; thresholds past the last recall stay 0.
                var i = 0
                for r in 0..<R {
                    while i < nd && rc[i] < thresholds[r] { i += 1 }
                    precision[precisionIndex(t: t, r: r, k: k, a: a, m: m)] = i < nd ? pr[i] : 0
                }
            }
        } } } } }
    }

    /// `summarize()` plus the per-category means people take from `eval['precision']`.
    func summary() -> COCOMetrics {
        let all = 0, last = M - 1
        func ap(tRange: Range<Int>, a: Int) -> Double {
            var values: [Double] = []
            for t in tRange { for r in 0..<R { for k in 0..<K { values.append(precision[precisionIndex(t: t, r: r, k: k, a: a, m: last)]) } } }
            return COCOAccumulation.meanOfValid(values)
        }
        func ar(a: Int, m: Int) -> Double {
            var values: [Double] = []
            for t in 0..<T { for k in 0..<K { values.append(recall[recallIndex(t: t, k: k, a: a, m: m)]) } }
            return COCOAccumulation.meanOfValid(values)
        }
        let iou75 = COCOEvaluator.iouThresholds.firstIndex(of: 0.75)!
        let stats = [
            ap(tRange: 0..<T, a: all), ap(tRange: 0..<1, a: all), ap(tRange: iou75..<iou75 + 1, a: all),
            ap(tRange: 0..<T, a: 1), ap(tRange: 0..<T, a: 2), ap(tRange: 0..<T, a: 3),
            ar(a: all, m: 0), ar(a: all, m: 1), ar(a: all, m: 2),
            ar(a: 1, m: last), ar(a: 2, m: last), ar(a: 3, m: last),
        ]
        var perCategory: [Int: Double] = [:], perCategoryAP50: [Int: Double] = [:]
        for (k, id) in categoryIds.enumerated() {
            var values: [Double] = []
            for t in 0..<T { for r in 0..<R { values.append(precision[precisionIndex(t: t, r: r, k: k, a: all, m: last)]) } }
            perCategory[id] = COCOAccumulation.meanOfValid(values)
            perCategoryAP50[id] = COCOAccumulation.meanOfValid(Array(values[0..<R]))
        }
        return COCOMetrics(stats: stats, perCategory: perCategory, perCategoryAP50: perCategoryAP50)
    }

    /// `np.mean(s[s > -1])`, or -1 when nothing is > -1; summed in numpy's pairwise order so the
    /// result is bit-identical.
    static func meanOfValid(_ values: [Double]) -> Double {
        let valid = values.filter { $0 > -1 }
        if valid.isEmpty { return -1 }
        return valid.withUnsafeBufferPointer { pairwiseSum($0[...]) } / Double(valid.count)
    }

    /// numpy's `pairwise_sum` for float64 (8 accumulators, blocks of 128, halves above that).
    static func pairwiseSum(_ a: Slice<UnsafeBufferPointer<Double>>) -> Double {
        let n = a.count, s = a.startIndex
        if n < 8 {
            var res = 0.0
            for x in a { res += x }
            return res
        }
        if n <= 128 {
            var r = (0..<8).map { a[s + $0] }
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += a[s + i + j] }
                i += 8
            }
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n { res += a[s + i]; i += 1 }
            return res
        }
        var n2 = n / 2
        n2 -= n2 % 8
        return pairwiseSum(a[s..<s + n2]) + pairwiseSum(a[(s + n2)...])
    }
}
