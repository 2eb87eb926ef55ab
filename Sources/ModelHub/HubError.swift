/// Why a hub operation failed, with a one-line message a user can act on.
///
/// `description` is the message alone, so `print("error: \(error)")` gives one clean line.
public struct HubError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, for code that reacts differently (tests, fallbacks).
    public enum Kind: Sendable, Equatable {
        case invalidID
        /// Repository, revision or file does not exist (HTTP 404).
        case notFound
        /// The hub wants a token, or refused the one sent (HTTP 401 / 403).
        case unauthorized
        /// The repository has only `pytorch_model.bin`; it needs converting to safetensors.
        case pytorchOnly
        /// `HF_HUB_OFFLINE` is set and the cache cannot answer.
        case offline
        /// The endpoint could not be reached (no network, DNS, refused connection, timeout).
        case network
        /// The server answered, but not as a hub does (status, missing headers, short body).
        case badResponse
        /// Downloaded bytes do not hash to the sha256 the hub announced.
        case checksumMismatch
        /// Reading or writing the cache folder failed.
        case cache
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
