/// A model repository on the hub, as typed after `--model`: `ORG/NAME` or `ORG/NAME@REVISION`.
///
/// ```swift
/// let id = try HubModelID(parsing: "openai/clip-vit-base-patch32@main")
/// id.repo        // "openai/clip-vit-base-patch32"
/// id.revision    // "main" (a branch, a tag or a 40-hex commit hash)
/// ```
public struct HubModelID: Equatable, Sendable, CustomStringConvertible {
    /// `ORG/NAME`.
    public let repo: String
    /// Branch, tag or commit hash; `main` when none was given.
    public let revision: String

    /// The branch used when no `@REVISION` is given, as in `huggingface_hub`.
    public static let defaultRevision = "main"

    /// Creates an id from its parts. Precondition: `repo` passes `isValidRepo`.
    public init(repo: String, revision: String = HubModelID.defaultRevision) {
        self.repo = repo
        self.revision = revision
    }

    /// Parses `ORG/NAME[@REVISION]`, or throws a `HubError` saying what is wrong with the text.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard HubModelID.isValidRepo(parts[0]) else {
            throw HubError(.invalidID, "\(text): not a hub model id (expected ORG/NAME or ORG/NAME@REVISION, letters, digits, '-', '_', '.')")
        }
        if parts.count == 2 {
            let rev = parts[1]
            guard !rev.isEmpty, !rev.contains(".."), !rev.hasPrefix("/"), !rev.hasSuffix("/"),
                  rev.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\\" }) else {
                throw HubError(.invalidID, "\(text): bad revision after '@' (give a branch, tag or commit hash)")
            }
            self.init(repo: parts[0], revision: rev)
        } else {
            self.init(repo: parts[0])
        }
    }

    /// Whether `text` has the shape of a hub id (used to tell ids from mistyped local paths).
    public static func looksLikeID(_ text: String) -> Bool {
        (try? HubModelID(parsing: text)) != nil
    }

    /// `ORG/NAME` with the hub's character set; `.`/`..` and names starting with `-` or `.` are refused
    /// because they would escape the cache folder or read as options.
    public static func isValidRepo(_ repo: String) -> Bool {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 96 && part.first != "-" && part.first != "." && !part.contains("..")
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
        }
    }

    /// Whether `revision` is a full commit hash (then no `refs/` lookup is needed).
    public var revisionIsCommit: Bool { HubModelID.isCommitHash(revision) }

    static func isCommitHash(_ s: String) -> Bool {
        s.utf8.count == 40 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    public var description: String { revision == HubModelID.defaultRevision ? repo : "\(repo)@\(revision)" }
}
