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

    @Option(help: "Prompt template with {} for the class name. (default: \"a photo of a {}.\")")
    var template: String?

    @Flag(help: "Average the embeddings of CLIP's 80 ImageNet prompt templates (slower to set up, often more accurate).")
    var ensemble = false

    @Option(help: "Background prompts that compete in the softmax, comma-separated; \"\" disables background rejection. (default: \(DetectorOptions.defaultBackground.joined(separator: ",")))")
    var background: String?

    @Option(help: "Look-alike classes that compete but are never reported, comma-separated, e.g. \"poster of a person\".")
    var negative: String?

    @Option(help: "Minimum score in [0, 1] for a detection (per-class thresholds override it).")
    var conf: Float = DetectorOptions().confidence

    @Option(help: "IoU threshold in [0, 1] for non-maximum suppression.")
    var iou: Float = DetectorOptions().iouThreshold

    @Option(name: .customLong("max-det"), help: "Most detections kept per image.")
    var maxDet: Int = DetectorOptions().maxDetections

    @Flag(name: .customLong("agnostic-nms"), help: "Suppress overlapping boxes across classes, not just within a class.")
    var agnosticNMS = false

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

    /// Detector options from the flags (validated).
    func detectorOptions() throws -> DetectorOptions {
        var o = DetectorOptions()
        if let template {
            try PromptTemplates.validate(template)
            o.templates = [template]
        }
        if ensemble { o.templates = PromptTemplates.imagenet }
        if let background { o.background = splitList(background) }
        if let negative { o.negatives = splitList(negative) }
        o.confidence = conf
        o.iouThreshold = iou
        o.maxDetections = maxDet
        o.agnosticNMS = agnosticNMS
        o.proposals.method = proposals
        o.proposals.maxProposals = maxProposals
        o.proposals.selectiveLongSide = ssSize
        o.proposals.selectiveQuality = ssQuality
        o.contextMargin = context
        o.batchSize = batchSize
        guard maxProposals >= 1 else { throw DetectionError("--max-proposals \(maxProposals) must be ≥ 1") }
        guard ssSize >= 32 else { throw DetectionError("--ss-size \(ssSize) must be ≥ 32") }
        try o.validate()
        return o
    }

    /// The class list from --classes, --classes-file and --class-image (in that order).
    func classSpecs() throws -> [ClassSpec] {
        var specs: [ClassSpec] = []
        if let classes {
            let parsed = classes.trimmingCharacters(in: .whitespaces).isEmpty ? [] : try ClassSpec.parseList(classes)
            guard !parsed.isEmpty else { throw DetectionError("--classes is empty; give at least one class, e.g. --classes \"person,dog\"") }
            specs += parsed
        }
        if let classesFile {
            guard let text = try? String(contentsOfFile: classesFile, encoding: .utf8) else {
                throw DetectionError("\(classesFile): cannot read the classes file (missing, unreadable or not UTF-8)")
            }
            specs += try ClassSpec.parseLines(text, file: classesFile)
        }
        for entry in classImages {
            guard let eq = entry.firstIndex(of: "=") else {
                throw DetectionError("--class-image \"\(entry)\": expected NAME=PATH")
            }
            let name = entry[..<eq].trimmingCharacters(in: .whitespaces)
            let path = String(entry[entry.index(after: eq)...])
            guard !name.isEmpty, !path.isEmpty else { throw DetectionError("--class-image \"\(entry)\": expected NAME=PATH") }
            specs.append(ClassSpec(name, source: .exemplar(try ImageLoader.load(path: path))))
        }
        guard !specs.isEmpty else {
            throw DetectionError("no classes given: use --classes \"a,b\", --classes-file FILE or --class-image NAME=PATH")
        }
        try ClassSpec.checkUnique(specs, what: "classes")
        return specs
    }
}

func splitList(_ s: String) -> [String] {
    s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

extension ProposalOptions.Method: ExpressibleByArgument {}

/// True when stderr is a terminal (progress lines are shown only then).
var stderrIsTerminal: Bool { isatty(2) == 1 }

func printError(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
