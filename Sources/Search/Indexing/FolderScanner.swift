import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One image file found on disk, with what decides whether its embedding is stale.
public struct ScannedFile: Equatable, Sendable {
    /// Absolute, standardised path.
    public var path: String
    /// Size in bytes.
    public var size: Int64
    /// Modification time in nanoseconds since 1970.
    public var modifiedNanoseconds: Int64

    public init(path: String, size: Int64, modifiedNanoseconds: Int64) {
        self.path = path
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
    }
}

/// Lists the image files under a folder, recursively.
///
/// ```swift
/// let files = try FolderScanner().scan("photos")   // sorted absolute paths with size and mtime
/// ```
///
/// Hidden files and folders (name starting with ".") are skipped, which also skips the
/// temporary files of atomic writes. Symbolic links to files are followed; links to folders are
/// not descended into, so a link cycle cannot loop.
public struct FolderScanner: Sendable {
    /// Extensions (lower case, no dot) taken as images.
    public static let defaultExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "gif", "pgm", "ppm", "pnm"]

    public var extensions: Set<String>

    public init(extensions: Set<String> = FolderScanner.defaultExtensions) {
        self.extensions = extensions
    }

    /// The absolute, standardised form of `folder` (no trailing slash), as paths are stored.
    public static func root(of folder: String) -> String {
        URL(fileURLWithPath: folder).standardizedFileURL.path
    }

    /// The image files under `folder`, sorted by path.
    /// - Throws: `SearchError` when `folder` does not exist or is not a folder.
    public func scan(_ folder: String) throws -> [ScannedFile] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
            throw SearchError("\(folder): no such folder")
        }
        guard isDir.boolValue else { throw SearchError("\(folder): not a folder; index takes a folder of images") }
        let root = Self.root(of: folder)
        guard let walker = FileManager.default.enumerator(atPath: root) else {
            throw SearchError("\(folder): cannot list the folder")
        }
        var files: [ScannedFile] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            let path = root == "/" ? "/" + relative : root + "/" + relative
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            guard extensions.contains((name as NSString).pathExtension.lowercased()) else { continue }
            guard let file = try? ScannedFile(statting: path) else { continue }
            files.append(file)
        }
        return files.sorted { $0.path < $1.path }
    }
}
