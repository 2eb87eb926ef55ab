import CLIP
import Detection
import Search

/// The models a ``DetectionServer`` answers with, loaded once and shared by every worker.
///
/// ```swift
/// let models = ServedModels(detection: try DetectionModel(folder: ModelLocator.resolve("shapes-tiny")))
/// ```
public struct ServedModels: @unchecked Sendable {
    /// Runs `/v1/detect`; when it is a CLIP model it also runs `/v1/classify` and `/v1/embed`.
    public var detection: DetectionModel
    /// Runs `/v1/search`; nil: the search routes answer 404.
    public var searcher: ImageSearcher?

    public init(detection: DetectionModel, searcher: ImageSearcher? = nil) {
        self.detection = detection
        self.searcher = searcher
    }
}
