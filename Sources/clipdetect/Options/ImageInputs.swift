import Detection
import Foundation

/// Expands command-line inputs into image files: files as given, folders to their images
/// (sorted, not recursive).
enum ImageInputs {
    struct Input { var path: String; var fromFolder: Bool }
    static let extensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp", "gif", "pgm", "ppm", "pnm"]

    static func expand(_ inputs: [String]) throws -> [Input] {
        var out: [Input] = []
        let fm = FileManager.default
        for path in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw DetectionError("\(path): no such file or folder")
            }
            if isDir.boolValue {
                let names = try fm.contentsOfDirectory(atPath: path).sorted()
                let images = names.filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }
                guard !images.isEmpty else { throw DetectionError("\(path): folder has no images (\(extensions.sorted().joined(separator: ", ")))") }
                out += images.map { Input(path: (path as NSString).appendingPathComponent($0), fromFolder: true) }
            } else {
                out.append(Input(path: path, fromFolder: false))
            }
        }
        return out
    }
}
