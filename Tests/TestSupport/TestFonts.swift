import Foundation
import XCTest

/// The CJK font the label tests draw with: Debian's fonts-wqy-microhei, which
/// tools/install-deps.sh installs (so CI has it).
///
/// ```swift
/// let path = try TestFonts.cjk()        // skips the test when the package is missing
/// ```
public enum TestFonts {
    /// Where fonts-wqy-microhei puts its collection (face 0: WenQuanYi Micro Hei).
    public static let cjkPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

    /// `cjkPath`, or an `XCTSkip` naming the package when it is not installed.
    public static func cjk() throws -> String {
        guard FileManager.default.fileExists(atPath: cjkPath) else {
            throw XCTSkip("font \(cjkPath) is not installed (Debian package fonts-wqy-microhei; tools/install-deps.sh installs it)")
        }
        return cjkPath
    }
}
