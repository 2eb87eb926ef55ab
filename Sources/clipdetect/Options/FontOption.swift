import ArgumentParser
import Imaging

/// `--font PATH`, for the commands that draw text (detection images and videos, contact sheets).
struct FontOption: ParsableArguments {
    @Option(help: "Font file (TrueType/OpenType) for labels and captions. (default: an installed font that has every character, found through fontconfig)")
    var font: String?

    /// The font named by --font, opened; nil when none was given.
    func load() throws -> OutlineFont? {
        guard let font else { return nil }
        do {
            return try OutlineFont(path: font)
        } catch let error as ImagingError {
            throw ValidationError("--font \(error)")
        }
    }
}
