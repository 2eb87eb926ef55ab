/// Settings of `ImageIndex.update(folder:model:options:progress:)`.
///
/// ```swift
/// let report = try index.update(folder: "photos", model: model, options: IndexOptions(batchSize: 64))
/// ```
public struct IndexOptions: Sendable {
    /// Images decoded, encoded and committed together.
    public var batchSize = 32
    /// File extensions taken as images.
    public var extensions = FolderScanner.defaultExtensions
    /// The id rows are stored under; nil: `ModelIdentity.id(of: model)`.
    public var modelID: String?
    /// Where the model came from, recorded so `search` can reload it
    /// (`ModelIdentity.Source.recorded`: a folder path or `config:PRESET:SEED`).
    public var modelSource: String?

    public init(batchSize: Int = 32, modelID: String? = nil, modelSource: String? = nil) {
        self.batchSize = batchSize
        self.modelID = modelID
        self.modelSource = modelSource
    }
}
