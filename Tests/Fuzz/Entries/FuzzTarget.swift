import CLIP
import Evaluation
import Foundation
import Imaging
import ModelHub

/// The parsers clipdetect exposes to files and answers from strangers, one entry each, shared
/// by the libFuzzer executables (`Tests/Fuzz/Package.swift`, `tools/fuzz.sh`) and the corpus
/// replay in the normal test suite (`FuzzCorpusTests`).
///
/// ```swift
/// let scratch = try FuzzTarget.makeScratchFolder()
/// FuzzTarget.safetensors.run(Data(bytes), scratch: scratch)   // never traps; errors are expected
/// ```
///
/// Every entry calls public library API only and swallows the thrown errors: a run passes
/// when it returns (no trap, no sanitizer report, no hang). Where the library reads a file,
/// the input is written to `scratch` first so the real path-taking code runs.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case safetensors
    case config
    case bpe
    case wordpiece
    case imageHeader = "image-header"
    case imageDecode = "image-decode"
    case coco
    case hubResponse = "hub-response"
    case hubDiscussions = "hub-discussions"
    case parquet

    /// Runs one input.
    public func run(_ data: Data, scratch: URL) {
        switch self {
        case .safetensors: FuzzEntries.safetensors(data, scratch: scratch)
        case .config: FuzzEntries.config(data, scratch: scratch)
        case .bpe: FuzzEntries.bpe(data, scratch: scratch)
        case .wordpiece: FuzzEntries.wordpiece(data, scratch: scratch)
        case .imageHeader: FuzzEntries.imageHeader(data)
        case .imageDecode: FuzzEntries.imageDecode(data)
        case .coco: FuzzEntries.coco(data, scratch: scratch)
        case .hubResponse: FuzzEntries.hubResponse(data)
        case .hubDiscussions: FuzzEntries.hubDiscussions(data)
        case .parquet: FuzzEntries.parquet(data)
        }
    }

    /// Loads what the target keeps between inputs (the tokenizers' vocabularies), called from
    /// `LLVMFuzzerInitialize`: loading them on the first input took longer than the 2-second
    /// timeout in the debug ASan build, and libFuzzer's timeout handler then deadlocked inside
    /// `malloc`.
    public func prepare() {
        switch self {
        case .bpe: _ = FuzzEntries.bpeTokenizer
        case .wordpiece: _ = FuzzEntries.wordPieceTokenizer
        default: break
        }
        _ = FuzzEntries.processScratch
    }

    /// The libFuzzer entry: runs one input given as a C buffer (a per-process scratch folder
    /// is made on first use).
    public func run(_ bytes: UnsafePointer<UInt8>?, _ count: Int) {
        let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
        run(data, scratch: FuzzEntries.processScratch)
    }

    /// A fresh private folder for the files the entries write: in /dev/shm when there is one
    /// (a file write per input on a busy disk cut the safetensors target to ~130 inputs/s).
    public static func makeScratchFolder() throws -> URL {
        let shm = URL(fileURLWithPath: "/dev/shm")
        let base = FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        let url = base.appendingPathComponent("clipdetect-fuzz-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// This target's committed seed corpus: `Tests/Fuzz/Targets/NAME/corpus`.
    public var corpusFolder: URL { FuzzEntries.repository.appendingPathComponent("Tests/Fuzz/Targets/\(rawValue)/corpus") }

    /// Inputs that once found a bug: `Tests/Fuzz/Targets/NAME/regressions` (may not exist).
    public var regressionFolder: URL { FuzzEntries.repository.appendingPathComponent("Tests/Fuzz/Targets/\(rawValue)/regressions") }
}
