import CLIP

/// One detected object: the class it matched, its score and its box in the original image.
public struct Detection: Sendable, Equatable {
    /// The class name as given to `Detector.setClasses` (without any threshold suffix).
    public var label: String
    /// Index of the class in the detector's class list.
    public var classId: Int
    /// Probability in [0, 1] from the softmax over classes, negatives and background prompts.
    public var score: Float
    /// Pixels of the original image.
    public var box: Box
    /// Stable id when tracking across video frames; nil otherwise.
    public var trackId: Int?

    public init(label: String, classId: Int, score: Float, box: Box, trackId: Int? = nil) {
        self.label = label
        self.classId = classId
        self.score = score
        self.box = box
        self.trackId = trackId
    }
}
