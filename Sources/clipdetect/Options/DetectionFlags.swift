import ArgumentParser
import CLIP
import Detection
import Foundation
import Imaging

/// Flags shared by every command that runs the detector (detect, bench --detect, eval, video).
struct DetectionFlags: ParsableArguments {
    @Option(help: "Classes to find, comma-separated; a per-class threshold may follow a colon: \"person:0.3,red backpack:0.5\".")
    var classes: String?

    @Option(name: .customLong("classes-file"), help: "File with one class per line (same NAME[:THRESHOLD] syntax; # comments).")
    var classesFile: String?

    @Option(name: .customLong("class-image"), help: "A class given by an example image, NAME=PATH (repeatable; mixes with text classes).")
    var classImages: [String] = []

    @Option(help: "Prompt template with {} for the class name. (default: \"a photo of a {}.\"; OWL models: \"a photo of a {}\")")
    var template: String?

    @Flag(help: "Average the embeddings of CLIP's 80 ImageNet prompt templates (slower to set up, often more accurate).")
    var ensemble = false

    @Option(help: "Background prompts that compete in the softmax, comma-separated; \"\" disables background rejection. (default: \(DetectorOptions.defaultBackground.joined(separator: ",")))")
    var background: String?

    @Option(help: "Look-alike classes that compete but are never reported, comma-separated, e.g. \"poster of a person\".")
    var negative: String?

    @Option(help: "Minimum score in [0, 1] for a detection (per-class thresholds override it). (default: \(DetectorOptions().confidence); OWL models: \(OWLDetector.defaultOptions().confidence), as transformers)")
    var conf: Float?

    @Option(help: "IoU threshold in [0, 1] for non-maximum suppression; 1 keeps every box. (default: \(DetectorOptions().iouThreshold); OWL models: \(OWLDetector.defaultOptions().iouThreshold))")
    var iou: Float?

    @Option(name: .customLong("max-det"), help: "Most detections kept per image.")
    var maxDet: Int = DetectorOptions().maxDetections

    @Flag(name: .customLong("agnostic-nms"), help: "Suppress overlapping boxes across classes, not just within a class.")
    var agnosticNMS = false

    @Option(help: "After NMS: containment (also drop other-class overlaps, loose boxes around a tighter one, same-class fragments) or nms (torchvision-exact NMS output only). (default: containment; OWL models: nms unless the model's detection_defaults.json says \"containment\": true)")
    var suppression: Suppression?

    @Option(name: .customLong("cross-class-ratio"), help: "Containment drops an overlapping box of another class only when it scores at most this share of the kept box, in (0, 1]; turns containment on. (default: 1; shapes-owl: 0.9, from its detection_defaults.json)")
    var crossClassRatio: Float?

    @Option(help: "Temperature dividing the logits before the softmax; 1 gives CLIP's own probabilities.")
    var temperature: Float = DetectorOptions().temperature

    @Option(name: .customLong("vote-iou"), help: "Box voting: a reported box becomes the score-weighted mean of same-class candidates overlapping it by at least this IoU.")
    var voteIoU: Float = DetectorOptions().boxVotingIoU ?? 0.5

    @Flag(name: .customLong("no-vote"), help: "Report boxes as proposed (no box voting).")
    var noVote = false

    @Flag(inversion: .prefixedNo, help: "Snap each reported box to the extent of the object GrabCut finds in a window around it. (default: on; OWL models: off unless the model's detection_defaults.json says \"refine\": true)")
    var refine: Bool?

    @Option(help: "Proposal source: selective, windows or both.")
    var proposals: ProposalOptions.Method = ProposalOptions().method

    @Option(name: .customLong("max-proposals"), help: "Most candidate boxes encoded per image.")
    var maxProposals: Int = ProposalOptions().maxProposals

    @Option(name: .customLong("ss-size"), help: "Long side (pixels) of the downscaled copy selective search runs on.")
    var ssSize: Int = ProposalOptions().selectiveLongSide

    @Flag(name: .customLong("ss-quality"), help: "Selective search in quality mode (slower, more boxes) instead of fast mode.")
    var ssQuality = false

    @Option(help: "Context kept around each box when cropping, as a fraction of its longer side.")
    var context: Float = DetectorOptions().contextMargin

    @Option(name: .customLong("batch-size"), help: "Crops encoded per batch.")
    var batchSize: Int = DetectorOptions().batchSize

    /// Range checks of the flags, before any work (one `error: …` line naming the flag).
    func validate() throws {
        if let conf { try ArgumentChecks.require("--conf", conf, in: 0...1) }
        if let iou { try ArgumentChecks.require("--iou", iou, in: 0...1) }
        if let crossClassRatio {
            guard crossClassRatio > 0, crossClassRatio <= 1 else {
                throw ValidationError("--cross-class-ratio \(String(format: "%g", Double(crossClassRatio))) must be in (0, 1]")
            }
            guard suppression != .nms else {
                throw ValidationError("--cross-class-ratio applies to containment suppression; it cannot be used with --suppression nms")
            }
        }
        try ArgumentChecks.require("--max-det", maxDet, atLeast: 1)
        try ArgumentChecks.require("--batch-size", batchSize, in: 1...1024)
        try ArgumentChecks.require("--context", context, in: 0...2)
        try ArgumentChecks.require("--max-proposals", maxProposals, atLeast: 1)
        try ArgumentChecks.require("--ss-size", ssSize, atLeast: 32)
        if let template { try ArgumentChecks.check("--template") { try PromptTemplates.validate(template) } }
        if let classes {
            guard !splitList(classes).isEmpty else {
                throw ValidationError("--classes is empty; give at least one class, e.g. --classes \"person,dog\"")
            }
            _ = try ClassSpec.parseList(classes, what: "--classes")
        }
        for entry in classImages where Self.splitClassImage(entry) == nil {
            throw ValidationError("--class-image \"\(entry)\": expected NAME=PATH")
        }
    }

    /// Detector options from the flags (checked by `validate()`; the library checks again),
    /// over `base` (the model family's defaults).
    func detectorOptions(base: DetectorOptions = DetectorOptions()) throws -> DetectorOptions {
        var o = base
        if let template { o.templates = [template] }
        if ensemble { o.templates = PromptTemplates.imagenet }
        if let background { o.background = splitList(background) }
        if let negative { o.negatives = splitList(negative) }
        if let conf { o.confidence = conf }
        if let iou { o.iouThreshold = iou }
        o.maxDetections = maxDet
        o.agnosticNMS = agnosticNMS
        if let suppression { o.containment = suppression == .containment ? (base.containment ?? ContainmentSuppression()) : nil }
        if let crossClassRatio {
            var containment = o.containment ?? ContainmentSuppression()
            containment.crossClassScoreRatio = crossClassRatio
            o.containment = containment
        }
        o.temperature = temperature
        o.boxVotingIoU = noVote ? nil : voteIoU
        if let refine { o.refinement = refine ? (base.refinement ?? BoxRefiner()) : nil }
        o.proposals.method = proposals
        o.proposals.maxProposals = maxProposals
        o.proposals.selectiveLongSide = ssSize
        o.proposals.selectiveQuality = ssQuality
        o.contextMargin = context
        o.batchSize = batchSize
        try o.validate()
        return o
    }

    /// The class list from --classes, --classes-file and --class-image (in that order).
    func classSpecs() throws -> [ClassSpec] {
        var specs: [ClassSpec] = []
        if let classes { specs += try ClassSpec.parseList(classes, what: "--classes") }
        if let classesFile {
            guard let text = try? String(contentsOfFile: classesFile, encoding: .utf8) else {
                throw DetectionError("\(classesFile): cannot read the classes file (missing, unreadable or not UTF-8)")
            }
            specs += try ClassSpec.parseLines(text, file: classesFile)
        }
        for case let (name, path)? in classImages.map(Self.splitClassImage) {
            specs.append(ClassSpec(name, source: .exemplar(try ImageLoader.load(path: path))))
        }
        guard !specs.isEmpty else {
            throw DetectionError("no classes given: use --classes \"a,b\", --classes-file FILE or --class-image NAME=PATH")
        }
        try ClassSpec.checkUnique(specs, what: "classes")
        return specs
    }
}

extension DetectionFlags {
    /// `NAME=PATH` of `--class-image` split at the first `=`; nil when either side is empty.
    static func splitClassImage(_ entry: String) -> (name: String, path: String)? {
        guard let eq = entry.firstIndex(of: "=") else { return nil }
        let name = entry[..<eq].trimmingCharacters(in: .whitespaces)
        let path = String(entry[entry.index(after: eq)...])
        return name.isEmpty || path.isEmpty ? nil : (name, path)
    }
}

func splitList(_ s: String) -> [String] {
    s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

extension ProposalOptions.Method: ExpressibleByArgument {}

/// `--suppression`: what follows NMS.
enum Suppression: String, ExpressibleByArgument, CaseIterable {
    case containment, nms
}

/// True when stderr is a terminal (progress lines are shown only then).
var stderrIsTerminal: Bool { isatty(2) == 1 }

func printError(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
