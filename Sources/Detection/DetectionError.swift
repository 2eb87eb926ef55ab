/// A detection-level failure (bad option, bad class list, …): one line a user can act on.
public struct DetectionError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
