/// Greedy non-maximum suppression, index-for-index identical to torchvision's CPU
/// `torchvision.ops.nms` and `torchvision.ops.batched_nms` on float32 inputs.
///
/// ```swift
/// let boxes = [Box(x1: 0, y1: 0, x2: 10, y2: 10), Box(x1: 1, y1: 1, x2: 11, y2: 11),
///              Box(x1: 50, y1: 50, x2: 60, y2: 60)]
/// NonMaxSuppression.nms(boxes: boxes, scores: [0.9, 0.8, 0.7], iouThreshold: 0.5)   // [0, 2]
/// NonMaxSuppression.batchedNMS(boxes: boxes, scores: [0.9, 0.8, 0.7],
///                              classIds: [0, 1, 0], iouThreshold: 0.5)               // [0, 1, 2]
/// ```
///
/// What "identical" covers (pinned by golden fixtures from torchvision):
/// - Order: candidates are ranked by score with a stable sort, as torchvision's kernel does
///   (`sort(stable=true, descending=true)`): equal scores keep increasing index order. Only
///   `batchedNMS`'s per-class path re-sorts its result with torch's *unstable* sort, whose
///   placement of equal scores (libstdc++ introsort) is reproduced exactly.
/// - Overlap: `inter / (areaI + areaJ - inter)` in Float with the signed areas
///   `(x2 - x1) * (y2 - y1)`, compared as `Double(overlap) > iouThreshold` (torchvision compares
///   the float overlap with a C++ double). Suppression needs a *strictly* greater overlap; a NaN
///   overlap (0/0 between zero-area boxes) never suppresses; a threshold below 0 suppresses every
///   lower-ranked box whose overlap with a kept box is not NaN, even disjoint ones.
/// - NaN scores rank above every number (torch sorts NaN first when descending), so a box with a
///   NaN score is kept and may suppress others; +inf ranks above finite scores.
public enum NonMaxSuppression {
    /// `batched_nms` switches from the coordinate-offset trick to one NMS per class when
    /// `boxes.numel() > 4000` on CPU, i.e. for more than this many boxes.
    public static let perClassPathMinimumExclusive = 1000

    /// `torchvision.ops.nms`: indices of the kept boxes, in decreasing score order.
    ///
    /// - Parameter iouThreshold: a box is dropped when its IoU with a higher-ranked kept box is
    ///   strictly greater than this. Pass the same value you would pass to Python (a Double).
    /// - Precondition: `boxes.count == scores.count` and fewer than 2^31 boxes.
    /// - Complexity: O(n log n) to rank, then at most O(n·k) overlaps for n boxes of which k are
    ///   kept. With finite coordinates and a threshold ≥ 0 (the usual case) only pairs sharing a
    ///   cell of a uniform grid are compared, which gives the same result (see
    ///   `RankedColumns.keptRanksUsingGrid`): 10,000 boxes take 3–10 ms in a release build.
    public static func nms(boxes: [Box], scores: [Float], iouThreshold: Double) -> [Int] {
        precondition(boxes.count == scores.count,
                     "NonMaxSuppression.nms: \(boxes.count) boxes but \(scores.count) scores")
        precondition(boxes.count < Int(Int32.max), "NonMaxSuppression.nms: too many boxes")
        let coordinates = Coordinates(boxes)
        var keep: [Int] = []
        keep.reserveCapacity(boxes.count)
        coordinates.suppress(candidates: Array(0..<Int32(boxes.count)), scores: scores,
                             iouThreshold: iouThreshold, keep: &keep)
        return keep
    }

    /// `nms` with a Float (or other floating-point) threshold, widened exactly to Double: the
    /// same as calling torchvision with `float(numpy.float32(iouThreshold))`. Note `Float(0.3)`
    /// is slightly above the Double `0.3`, which matters when an overlap rounds to exactly
    /// `Float(0.3)`. Generic so that literals (`0.5`, `1`) pick the Double overload.
    public static func nms<Threshold: BinaryFloatingPoint>(
        boxes: [Box], scores: [Float], iouThreshold: Threshold
    ) -> [Int] {
        nms(boxes: boxes, scores: scores, iouThreshold: Double(iouThreshold))
    }

    /// `torchvision.ops.batched_nms`: NMS applied within each class only; indices of the kept
    /// boxes in decreasing score order.
    ///
    /// Follows torchvision's two code paths, which can disagree in floating-point corner cases:
    /// - up to `perClassPathMinimumExclusive` boxes, the coordinate trick: every box is shifted by
    ///   `Float(classId) * (maxCoordinate + 1)` and one NMS runs over all boxes. The shifted
    ///   coordinates (and so the areas and overlaps) are rounded in Float, and when the largest
    ///   coordinate is negative the shift can be smaller than the boxes, so classes can suppress
    ///   each other — torchvision's behaviour, reproduced as is. A NaN coordinate makes every
    ///   shifted box NaN, so nothing is suppressed.
    /// - above it, one NMS per class on the original coordinates, then the kept indices (in
    ///   increasing index order) are re-sorted by score with torch's unstable sort.
    /// - Precondition: `boxes.count == scores.count == classIds.count`, fewer than 2^31 boxes.
    public static func batchedNMS(boxes: [Box], scores: [Float], classIds: [Int],
                                  iouThreshold: Double) -> [Int] {
        precondition(boxes.count == scores.count && boxes.count == classIds.count,
                     "NonMaxSuppression.batchedNMS: \(boxes.count) boxes, \(scores.count) scores, "
                        + "\(classIds.count) class ids")
        precondition(boxes.count < Int(Int32.max), "NonMaxSuppression.batchedNMS: too many boxes")
        if boxes.isEmpty { return [] }
        if boxes.count > perClassPathMinimumExclusive {
            return perClass(boxes: boxes, scores: scores, classIds: classIds,
                            iouThreshold: iouThreshold)
        }
        return coordinateTrick(boxes: boxes, scores: scores, classIds: classIds,
                               iouThreshold: iouThreshold)
    }

    /// `batchedNMS` with a Float (or other floating-point) threshold widened exactly to Double
    /// (see `nms`).
    public static func batchedNMS<Threshold: BinaryFloatingPoint>(
        boxes: [Box], scores: [Float], classIds: [Int], iouThreshold: Threshold
    ) -> [Int] {
        batchedNMS(boxes: boxes, scores: scores, classIds: classIds,
                   iouThreshold: Double(iouThreshold))
    }

    // MARK: - batched_nms paths

    /// `_batched_nms_coordinate_trick`.
    static func coordinateTrick(boxes: [Box], scores: [Float], classIds: [Int],
                                iouThreshold: Double) -> [Int] {
        // torch's `max` propagates NaN, which then poisons every offset (0 * NaN is NaN).
        var maxCoordinate = -Float.infinity
        for box in boxes {
            let largest = Swift.max(Swift.max(box.x1, box.y1), Swift.max(box.x2, box.y2))
            if box.x1.isNaN || box.y1.isNaN || box.x2.isNaN || box.y2.isNaN {
                maxCoordinate = .nan
                break
            }
            if largest > maxCoordinate { maxCoordinate = largest }
        }
        let unit = maxCoordinate + 1
        var shifted = Coordinates(boxes)
        for i in 0..<boxes.count {
            let offset = Float(classIds[i]) * unit
            shifted.x1[i] += offset
            shifted.y1[i] += offset
            shifted.x2[i] += offset
            shifted.y2[i] += offset
        }
        var keep: [Int] = []
        keep.reserveCapacity(boxes.count)
        shifted.suppress(candidates: Array(0..<Int32(boxes.count)), scores: scores,
                         iouThreshold: iouThreshold, keep: &keep)
        return keep
    }

    /// `_batched_nms_vanilla`.
    static func perClass(boxes: [Box], scores: [Float], classIds: [Int],
                         iouThreshold: Double) -> [Int] {
        var members: [Int: [Int32]] = [:]
        for (index, classId) in classIds.enumerated() {
            members[classId, default: []].append(Int32(index))
        }
        let coordinates = Coordinates(boxes)
        var keptInClass: [Int] = []
        keptInClass.reserveCapacity(boxes.count)
        for candidates in members.values {
            coordinates.suppress(candidates: candidates, scores: scores,
                                 iouThreshold: iouThreshold, keep: &keptInClass)
        }
        // torchvision gathers the kept mask in increasing index order, then sorts by score.
        keptInClass.sort()
        var entries = keptInClass.map { SortEntry(key: scores[$0], index: Int32($0)) }
        TorchSort.sortDescending(&entries)
        return entries.map { Int($0.index) }
    }
}

/// Boxes as separate coordinate columns, the layout torchvision's kernel reads.
struct Coordinates {
    var x1: [Float]
    var y1: [Float]
    var x2: [Float]
    var y2: [Float]

    init(_ boxes: [Box]) {
        x1 = boxes.map(\.x1)
        y1 = boxes.map(\.y1)
        x2 = boxes.map(\.x2)
        y2 = boxes.map(\.y2)
    }

    /// torchvision's `nms_kernel_impl` restricted to `candidates` (given in increasing index
    /// order, as `torch.where` yields them): appends the kept original indices to `keep`,
    /// in rank order.
    func suppress(candidates: [Int32], scores: [Float], iouThreshold: Double, keep: inout [Int]) {
        let count = candidates.count
        if count == 0 { return }
        var ranked = candidates.map { SortEntry(key: scores[Int($0)], index: $0) }
        // torchvision's kernel sorts with `stable=true`: equal scores keep index order.
        ranked.sort(by: TorchSort.stableDescendingOrder)

        // Gather the columns in rank order so the pair loop walks memory forwards.
        var rx1 = [Float](repeating: 0, count: count)
        var ry1 = rx1, rx2 = rx1, ry2 = rx1, rArea = rx1
        for (rank, entry) in ranked.enumerated() {
            let i = Int(entry.index)
            rx1[rank] = x1[i]
            ry1[rank] = y1[i]
            rx2[rank] = x2[i]
            ry2[rank] = y2[i]
            rArea[rank] = (x2[i] - x1[i]) * (y2[i] - y1[i])
        }
        let threshold = Self.floatThreshold(iouThreshold)
        var suppressed = [UInt8](repeating: 0, count: count)

        rx1.withUnsafeBufferPointer { x1 in
        ry1.withUnsafeBufferPointer { y1 in
        rx2.withUnsafeBufferPointer { x2 in
        ry2.withUnsafeBufferPointer { y2 in
        rArea.withUnsafeBufferPointer { area in
        suppressed.withUnsafeMutableBufferPointer { suppressed in
            let columns = RankedColumns(
                x1: x1.baseAddress!, y1: y1.baseAddress!, x2: x2.baseAddress!,
                y2: y2.baseAddress!, area: area.baseAddress!, count: count)
            if count > 64 && threshold >= 0 && columns.allCoordinatesFinite {
                for rank in columns.keptRanksUsingGrid(above: threshold) {
                    keep.append(Int(ranked[Int(rank)].index))
                }
                return
            }
            for i in 0..<count where suppressed[i] == 0 {
                keep.append(Int(ranked[i].index))
                columns.markOverlaps(of: i, above: threshold, in: suppressed.baseAddress!)
            }
        }}}}}}
    }

    /// The Float `t` such that, for every Float `x`, `x > t` exactly when `Double(x) > threshold`:
    /// the threshold rounded towards -∞. Lets the pair loop compare in Float, bit-exact.
    static func floatThreshold(_ threshold: Double) -> Float {
        var t = Float(threshold)
        if Double(t) > threshold { t = t.nextDown }
        return t
    }
}

/// Box columns already in rank order, for the pair loop.
struct RankedColumns {
    let x1: UnsafePointer<Float>
    let y1: UnsafePointer<Float>
    let x2: UnsafePointer<Float>
    let y2: UnsafePointer<Float>
    let area: UnsafePointer<Float>
    let count: Int

    /// Sets `suppressed[j]` for every `j > i` whose overlap with box `i` exceeds `threshold`,
    /// with the kernel's arithmetic lane by lane. Unlike the C++ loop it also evaluates boxes
    /// already suppressed: setting their flag again changes nothing, and skipping the branch
    /// lets sixteen pairs go through one vector pass.
    @inline(__always)
    func markOverlaps(of i: Int, above threshold: Float, in suppressed: UnsafeMutablePointer<UInt8>) {
        let ix1 = x1[i], iy1 = y1[i], ix2 = x2[i], iy2 = y2[i], iArea = area[i]
        var j = i + 1
        let vx1 = Lanes(repeating: ix1), vy1 = Lanes(repeating: iy1)
        let vx2 = Lanes(repeating: ix2), vy2 = Lanes(repeating: iy2)
        let vArea = Lanes(repeating: iArea), vThreshold = Lanes(repeating: threshold)
        let zero = Lanes(repeating: 0)
        while j + Lanes.scalarCount <= count {
            let jx1 = Self.load(x1 + j), jy1 = Self.load(y1 + j)
            let jx2 = Self.load(x2 + j), jy2 = Self.load(y2 + j)
            // std::max(a, b) is `a < b ? b : a` and std::min(a, b) is `b < a ? b : a`: the same
            // operand is picked as in C++ when a coordinate is NaN.
            let xx1 = vx1.replacing(with: jx1, where: vx1 .< jx1)
            let yy1 = vy1.replacing(with: jy1, where: vy1 .< jy1)
            let xx2 = vx2.replacing(with: jx2, where: jx2 .< vx2)
            let yy2 = vy2.replacing(with: jy2, where: jy2 .< vy2)
            let dw = xx2 - xx1, dh = yy2 - yy1
            let w = zero.replacing(with: dw, where: zero .< dw)
            let h = zero.replacing(with: dh, where: zero .< dh)
            let inter = w * h
            let overlap = inter / (vArea + Self.load(area + j) - inter)
            let hit = SIMD16<Int32>(repeating: 0).replacing(with: 1, where: overlap .> vThreshold)
            let flags = UnsafeMutableRawPointer(suppressed + j)
            let old = flags.loadUnaligned(as: SIMD16<UInt8>.self)
            flags.storeBytes(of: old | SIMD16<UInt8>(truncatingIfNeeded: hit), as: SIMD16<UInt8>.self)
            j += Lanes.scalarCount
        }
        while j < count {
            if overlap(i, j) > threshold { suppressed[j] = 1 }
            j += 1
        }
    }

    /// The kernel's overlap of ranked box `i` (the kept, higher-ranked one) with box `j`.
    @inline(__always)
    func overlap(_ i: Int, _ j: Int) -> Float {
        let xx1 = x1[i] < x1[j] ? x1[j] : x1[i]
        let yy1 = y1[i] < y1[j] ? y1[j] : y1[i]
        let xx2 = x2[j] < x2[i] ? x2[j] : x2[i]
        let yy2 = y2[j] < y2[i] ? y2[j] : y2[i]
        let inter = Box.nonNegative(xx2 - xx1) * Box.nonNegative(yy2 - yy1)
        return inter / (area[i] + area[j] - inter)
    }

    var allCoordinatesFinite: Bool {
        for k in 0..<count where !(x1[k].isFinite && y1[k].isFinite && x2[k].isFinite && y2[k].isFinite) {
            return false
        }
        return true
    }

    /// Same result as the all-pairs loop, in rank order, for finite coordinates and a threshold
    /// ≥ 0, without visiting pairs that cannot overlap.
    ///
    /// Why it is exact: box `j` is suppressed iff some *kept* box ranked before it overlaps it
    /// by more than the threshold. A pair whose clamped width or height is 0 has overlap 0, -0
    /// or NaN (0/0, 0·∞ cannot occur with finite coordinates but 0/0 can), none of which exceeds
    /// a threshold ≥ 0; so only pairs with positive width and height matter. Such a pair shares
    /// a grid cell: `cell(x)` is monotone, and `max(x1ᵢ, x1ⱼ)` lies inside both x-ranges. A box
    /// with `x2 ≤ x1` or `y2 ≤ y1` has no such pair at all: it is kept and never indexed.
    func keptRanksUsingGrid(above threshold: Float) -> [Int32] {
        var minX = Float.infinity, minY = Float.infinity
        var maxX = -Float.infinity, maxY = -Float.infinity
        var sumWidth = 0.0, sumHeight = 0.0, solid = 0
        for k in 0..<count where x2[k] > x1[k] && y2[k] > y1[k] {
            minX = Swift.min(minX, x1[k]); maxX = Swift.max(maxX, x2[k])
            minY = Swift.min(minY, y1[k]); maxY = Swift.max(maxY, y2[k])
            sumWidth += Double(x2[k] - x1[k]); sumHeight += Double(y2[k] - y1[k])
            solid += 1
        }
        if solid == 0 { return (0..<Int32(count)).map { $0 } }
        // Cells about the mean box size, and no more cells than about twice the boxes.
        let perAxis = Swift.min(256, Swift.max(1, Int(Double(2 * solid).squareRoot())))
        let grid = Grid(
            minX: minX, maxX: maxX, meanWidth: Float(sumWidth / Double(solid)),
            minY: minY, maxY: maxY, meanHeight: Float(sumHeight / Double(solid)), perAxis: perAxis)
        var buckets = [[Int32]](repeating: [], count: grid.columns * grid.rows)
        var lastVisitStorage = [Int32](repeating: -1, count: count)
        var kept: [Int32] = []
        kept.reserveCapacity(count)
        lastVisitStorage.withUnsafeMutableBufferPointer { lastVisitBuffer in
        let lastVisit = lastVisitBuffer.baseAddress!  // unchecked access in the pair search
        for j in 0..<count {
            guard x2[j] > x1[j] && y2[j] > y1[j] else {
                kept.append(Int32(j))
                continue
            }
            let cx0 = grid.column(x1[j]), cx1 = grid.column(x2[j])
            let cy0 = grid.row(y1[j]), cy1 = grid.row(y2[j])
            var isSuppressed = false
            search: for cy in cy0...cy1 {
                for cx in cx0...cx1 {
                    let found = buckets[cy * grid.columns + cx].withUnsafeBufferPointer { bucket in
                        for i in bucket where lastVisit[Int(i)] != Int32(j) {
                            lastVisit[Int(i)] = Int32(j)
                            if overlap(Int(i), j) > threshold { return true }
                        }
                        return false
                    }
                    if found { isSuppressed = true; break search }
                }
            }
            if isSuppressed { continue }
            kept.append(Int32(j))
            for cy in cy0...cy1 {
                for cx in cx0...cx1 { buckets[cy * grid.columns + cx].append(Int32(j)) }
            }
        }
        }
        return kept
    }

    /// A uniform grid over the boxes' extent; `column` and `row` are monotone in their argument.
    struct Grid {
        let minX: Float, minY: Float, cellWidth: Float, cellHeight: Float
        let columns: Int, rows: Int

        init(minX: Float, maxX: Float, meanWidth: Float,
             minY: Float, maxY: Float, meanHeight: Float, perAxis: Int) {
            self.minX = minX
            self.minY = minY
            let cells = Float(perAxis)
            cellWidth = Swift.max(meanWidth, (maxX - minX) / cells, Float.leastNormalMagnitude)
            cellHeight = Swift.max(meanHeight, (maxY - minY) / cells, Float.leastNormalMagnitude)
            columns = Grid.cellIndex(maxX, origin: minX, size: cellWidth, limit: perAxis) + 1
            rows = Grid.cellIndex(maxY, origin: minY, size: cellHeight, limit: perAxis) + 1
        }

        func column(_ x: Float) -> Int { Grid.cellIndex(x, origin: minX, size: cellWidth, limit: columns - 1) }
        func row(_ y: Float) -> Int { Grid.cellIndex(y, origin: minY, size: cellHeight, limit: rows - 1) }

        private static func cellIndex(_ value: Float, origin: Float, size: Float, limit: Int) -> Int {
            let cell = ((value - origin) / size).rounded(.down)
            // Clamped in Float first so the conversion can never trap.
            return Int(Swift.min(Swift.max(cell, 0), Float(limit)))
        }
    }

    typealias Lanes = SIMD16<Float>

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }
}

/// A score and the box index it belongs to, moved together by the sort like torch's
/// (values, indices) composite iterator.
struct SortEntry {
    var key: Float
    var index: Int32
}

/// torch's two CPU sort orders for float32, descending with NaN first.
///
/// torchvision's nms kernel sorts with `stable=true` (`stableDescendingOrder`), but
/// `_batched_nms_vanilla` re-sorts its kept indices with Python's default
/// `sort(descending=True)`, which is unstable: libstdc++'s `std::sort` (introsort:
/// median-of-three quicksort, heapsort past depth 2·⌊log2 n⌋, insertion sort below 16 elements)
/// with torch's comparator. `sortDescending` ports that step by step, because the placement of
/// equal keys depends on every swap.
enum TorchSort {
    private static let threshold = 16

    /// torch's `KeyValueCompDesc`: `a` goes before `b`.
    @inline(__always)
    static func before(_ a: Float, _ b: Float) -> Bool {
        (a.isNaN && !b.isNaN) || a > b
    }

    /// `std::stable_sort` with `KeyValueCompDesc` as a total order: NaN first, then larger keys,
    /// then smaller indices (entries arrive in increasing index order).
    static func stableDescendingOrder(_ a: SortEntry, _ b: SortEntry) -> Bool {
        if before(a.key, b.key) { return true }
        if before(b.key, a.key) { return false }
        return a.index < b.index
    }

    /// torch's unstable `sort(descending=True)`, equal keys placed exactly as libstdc++ does.
    static func sortDescending(_ entries: inout [SortEntry]) {
        let count = entries.count
        if count < 2 { return }
        entries.withUnsafeMutableBufferPointer { buffer in
            let a = buffer.baseAddress!
            let depthLimit = 2 * (Int.bitWidth - 1 - count.leadingZeroBitCount)
            introsortLoop(a, 0, count, depthLimit)
            if count > threshold {
                insertionSort(a, 0, threshold)
                for i in threshold..<count { unguardedLinearInsert(a, i) }
            } else {
                insertionSort(a, 0, count)
            }
        }
    }

    private static func introsortLoop(_ a: UnsafeMutablePointer<SortEntry>, _ first: Int,
                                      _ last: Int, _ depthLimit: Int) {
        var last = last
        var depthLimit = depthLimit
        while last - first > threshold {
            if depthLimit == 0 {
                heapSort(a, first, last)
                return
            }
            depthLimit -= 1
            let mid = first + (last - first) / 2
            moveMedianToFirst(a, first, first + 1, mid, last - 1)
            let cut = unguardedPartition(a, first + 1, last, first)
            introsortLoop(a, cut, last, depthLimit)
            last = cut
        }
    }

    private static func moveMedianToFirst(_ a: UnsafeMutablePointer<SortEntry>, _ result: Int,
                                          _ x: Int, _ y: Int, _ z: Int) {
        let chosen: Int
        if before(a[x].key, a[y].key) {
            if before(a[y].key, a[z].key) { chosen = y }
            else if before(a[x].key, a[z].key) { chosen = z }
            else { chosen = x }
        } else if before(a[x].key, a[z].key) { chosen = x }
        else if before(a[y].key, a[z].key) { chosen = z }
        else { chosen = y }
        swapAt(a, result, chosen)
    }

    private static func unguardedPartition(_ a: UnsafeMutablePointer<SortEntry>, _ first: Int,
                                           _ last: Int, _ pivot: Int) -> Int {
        var first = first
        var last = last
        let pivotKey = a[pivot].key
        while true {
            while before(a[first].key, pivotKey) { first += 1 }
            last -= 1
            while before(pivotKey, a[last].key) { last -= 1 }
            if !(first < last) { return first }
            swapAt(a, first, last)
            first += 1
        }
    }

    private static func insertionSort(_ a: UnsafeMutablePointer<SortEntry>, _ first: Int,
                                      _ last: Int) {
        if first == last { return }
        var i = first + 1
        while i < last {
            if before(a[i].key, a[first].key) {
                let value = a[i]
                var k = i
                while k > first { a[k] = a[k - 1]; k -= 1 }
                a[first] = value
            } else {
                unguardedLinearInsert(a, i)
            }
            i += 1
        }
    }

    private static func unguardedLinearInsert(_ a: UnsafeMutablePointer<SortEntry>, _ last: Int) {
        let value = a[last]
        var hole = last
        while before(value.key, a[hole - 1].key) {
            a[hole] = a[hole - 1]
            hole -= 1
        }
        a[hole] = value
    }

    /// `std::__partial_sort(first, last, last)`: make_heap then sort_heap.
    private static func heapSort(_ a: UnsafeMutablePointer<SortEntry>, _ first: Int, _ last: Int) {
        let base = a + first
        let length = last - first
        if length >= 2 {
            var parent = (length - 2) / 2
            while true {
                adjustHeap(base, parent, length, base[parent])
                if parent == 0 { break }
                parent -= 1
            }
        }
        var end = length
        while end > 1 {
            end -= 1
            let value = base[end]
            base[end] = base[0]
            adjustHeap(base, 0, end, value)
        }
    }

    private static func adjustHeap(_ a: UnsafeMutablePointer<SortEntry>, _ hole: Int,
                                   _ length: Int, _ value: SortEntry) {
        let top = hole
        var hole = hole
        var child = hole
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if before(a[child].key, a[child - 1].key) { child -= 1 }
            a[hole] = a[child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            a[hole] = a[child - 1]
            hole = child - 1
        }
        // std::__push_heap
        var parent = (hole - 1) / 2
        while hole > top && before(a[parent].key, value.key) {
            a[hole] = a[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        a[hole] = value
    }

    @inline(__always)
    private static func swapAt(_ a: UnsafeMutablePointer<SortEntry>, _ i: Int, _ j: Int) {
        let t = a[i]
        a[i] = a[j]
        a[j] = t
    }
}
