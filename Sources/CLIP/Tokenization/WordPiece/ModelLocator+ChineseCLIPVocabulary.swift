import Foundation

extension ModelLocator {
    /// The shipped Chinese-CLIP WordPiece vocabulary (`models/chinese-clip-vocab`: vocab.txt
    /// and tokenizer_config.json), used for the random-weight Chinese-CLIP preset.
    /// - Throws: `CLIPError` listing the folders searched when it is not found.
    public static func shippedChineseCLIPVocabulary() throws -> URL {
        try resolveShipped("chinese-clip-vocab", marker: "vocab.txt")
    }
}
