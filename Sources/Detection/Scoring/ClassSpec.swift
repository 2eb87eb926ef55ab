import CLIP
import Foundation

/// One class the detector looks for.
///
/// A class is described either by words (embedded through the prompt templates) or by an
/// example image (query by example: the class embedding is the image's CLIP embedding).
/// `threshold`, when set, replaces the detector's global confidence threshold for this class.
public struct ClassSpec: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case text
        /// An example image of the class.
        case exemplar(RGBImage)
    }

    public var name: String
    public var threshold: Float?
    public var source: Source

    public init(_ name: String, threshold: Float? = nil, source: Source = .text) {
        self.name = name
        self.threshold = threshold
        self.source = source
    }

    /// Parses a comma-separated class list such as `"person:0.3,red backpack:0.5, dog"`.
    ///
    /// A trailing `:NUMBER` is a per-class threshold in [0, 1]; any other colon stays part of
    /// the name. Blank entries are ignored; an empty list, a duplicate name or a threshold out
    /// of range is an error.
    public static func parseList(_ text: String, what: String = "class list") throws -> [ClassSpec] {
        try parse(entries: text.split(separator: ",", omittingEmptySubsequences: false).map(String.init), what: what)
    }

    /// Parses one class per line (blank lines and lines starting with `#` skipped).
    public static func parseLines(_ text: String, file: String) throws -> [ClassSpec] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
        return try parse(entries: lines, what: file)
    }

    static func parse(entries: [String], what: String) throws -> [ClassSpec] {
        var specs: [ClassSpec] = []
        for raw in entries {
            let entry = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty { continue }
            var name = entry
            var threshold: Float?
            if let colon = entry.lastIndex(of: ":") {
                let tail = entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if let t = Float(tail) {
                    guard t >= 0, t <= 1 else {
                        throw DetectionError("\(what): threshold \(tail) for \"\(entry[..<colon])\" must be in [0, 1]")
                    }
                    threshold = t
                    name = entry[..<colon].trimmingCharacters(in: .whitespaces)
                }
            }
            guard !name.isEmpty else { throw DetectionError("\(what): entry \"\(entry)\" has a threshold but no class name") }
            specs.append(ClassSpec(name, threshold: threshold))
        }
        try checkUnique(specs, what: what)
        return specs
    }

    /// Throws when `specs` is empty or names a class twice.
    public static func checkUnique(_ specs: [ClassSpec], what: String) throws {
        guard !specs.isEmpty else { throw DetectionError("\(what): the class list is empty; give at least one class, e.g. \"person,dog\"") }
        var seen = Set<String>()
        for s in specs {
            guard seen.insert(s.name).inserted else { throw DetectionError("\(what): class \"\(s.name)\" is listed twice") }
        }
    }
}
