import CLIP
import Imaging

/// `ProposalGenerator`'s proposals with one change for video: candidates the caller prefers
/// (those a still-valid cached embedding stands for) move to the front of the candidate order
/// before duplicates are dropped and the cap applied, the others keeping their order behind.
///
/// Why: OpenCV ranks selective-search regions with `rand()`, so any change anywhere in a frame
/// reshuffles which few hundred boxes survive the proposal cap — on vtest.avi 39% of a frame's
/// proposals had no near-duplicate (IoU ≥ 0.9) among the previous frames' boxes even where
/// nothing moved. Putting boxes over unchanged pixels first keeps last frame's proposals
/// where the picture is the same; the freed slots go, in OpenCV's order, to the rest.
///
/// With no box preferred the output is exactly `ProposalGenerator.proposals(for:)`; a frame
/// identical to the previous one, whose boxes are all preferred, gets the previous frame's
/// boxes in the same order.
struct VideoProposals {
    let options: ProposalOptions

    func proposals(for image: RGBImage, preferring prefer: (Box) -> Bool) throws -> [Box] {
        try options.validate()
        let w = image.width, h = image.height
        let selective = options.method == .windows ? [] : try selectiveBoxes(in: image)
        let windows = options.method == .selective ? [] : SlidingWindows.boxes(
            width: w, height: h, scales: options.windowScales, aspects: options.windowAspects, overlap: options.windowOverlap)
        // ProposalGenerator's candidate order: three selective boxes, one window, in turn.
        var merged: [Box] = []
        merged.reserveCapacity(selective.count + windows.count)
        var s = 0, wi = 0
        while s < selective.count || wi < windows.count {
            for _ in 0..<ProposalGenerator.selectivePerWindow where s < selective.count {
                merged.append(selective[s])
                s += 1
            }
            if wi < windows.count {
                merged.append(windows[wi])
                wi += 1
            }
        }
        // Preferred candidates first, both parts in that order. Judged as emitted (clipped).
        // Taking candidates in this order replays, for the preferred ones, exactly the
        // decisions made when they were chosen (same earlier kept boxes), which is why an
        // unchanged frame gets its previous boxes back.
        let flags = merged.map { prefer($0.clipped(width: w, height: h)) }
        let ordered = zip(merged, flags).filter { $0.1 }.map(\.0) + zip(merged, flags).filter { !$0.1 }.map(\.0)
        var kept: [Box] = [Box(x1: 0, y1: 0, x2: Float(w), y2: Float(h))]
        kept.reserveCapacity(options.maxProposals)
        let minSide = Float(options.minSide), t = Float(options.duplicateIoU)
        for candidate in ordered where kept.count < options.maxProposals {
            let box = candidate.clipped(width: w, height: h)
            guard box.width >= minSide, box.height >= minSide, box.area > 0 else { continue }
            if !isDuplicate(box, of: kept, threshold: t) { kept.append(box) }
        }
        return kept
    }

    /// ProposalGenerator's duplicate test, in the same float operations (IoU ≥ threshold).
    private func isDuplicate(_ box: Box, of kept: [Box], threshold t: Float) -> Bool {
        let a = box.area
        for k in kept {
            let b = k.area
            if min(a, b) < t * max(a, b) { continue }
            let iw = min(box.x2, k.x2) - max(box.x1, k.x1), ih = min(box.y2, k.y2) - max(box.y1, k.y1)
            guard iw > 0, ih > 0 else { continue }
            let inter = iw * ih
            if inter >= t * (a + b - inter) { return true }
        }
        return false
    }

    /// Selective search on the downscaled copy, as `ProposalGenerator` runs it.
    private func selectiveBoxes(in image: RGBImage) throws -> [Box] {
        let longSide = max(image.width, image.height)
        guard longSide > options.selectiveLongSide else {
            return try SelectiveSearch.boxes(in: image, quality: options.selectiveQuality)
        }
        let shrink = Double(options.selectiveLongSide) / Double(longSide)
        let small = image.resized(width: max(1, Int((Double(image.width) * shrink).rounded())),
                                  height: max(1, Int((Double(image.height) * shrink).rounded())))
        let sx = Float(image.width) / Float(small.width)
        let sy = Float(image.height) / Float(small.height)
        return try SelectiveSearch.boxes(in: small, quality: options.selectiveQuality).map { b in
            Box(x1: (b.x1 * sx).rounded(), y1: (b.y1 * sy).rounded(), x2: (b.x2 * sx).rounded(), y2: (b.y2 * sy).rounded())
        }
    }
}
