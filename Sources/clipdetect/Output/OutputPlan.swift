import Detection
import Foundation
import Imaging

/// Where annotated images go. Decided (and checked writable) before any work, so a bad
/// output folder fails fast and never leaves partial results.
struct OutputPlan {
    private var paths: [String?]

    init(output: String?, noSave: Bool, inputs: [String]) throws {
        let fm = FileManager.default
        if noSave {
            paths = inputs.map { _ in nil }
            return
        }
        func annotatedName(_ input: String) -> String {
            let url = URL(fileURLWithPath: input)
            let ext = url.pathExtension.lowercased() == "png" ? "png" : "jpg"
            return url.deletingPathExtension().lastPathComponent + "_detections." + ext
        }
        var isDir: ObjCBool = false
        let outputIsFolder = output.map { fm.fileExists(atPath: $0, isDirectory: &isDir) && isDir.boolValue
            || $0.hasSuffix("/") || ImageWriter.Format(path: $0) == nil } ?? false
        if let output, !outputIsFolder {
            guard inputs.count == 1 else {
                throw DetectionError("--output \(output): several inputs need an output folder, not a file")
            }
            paths = [output]
        } else {
            let folder = output ?? fm.currentDirectoryPath
            if output != nil, !fm.fileExists(atPath: folder) {
                do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                    throw DetectionError("\(folder): cannot create the output folder (\(error.localizedDescription))")
                }
            }
            var used = Set<String>()
            paths = inputs.map { input in
                var name = annotatedName(input)
                var n = 2
                while used.contains(name) {  // same file name from two folders
                    name = URL(fileURLWithPath: annotatedName(input)).deletingPathExtension().lastPathComponent + "_\(n)." + URL(fileURLWithPath: annotatedName(input)).pathExtension
                    n += 1
                }
                used.insert(name)
                return (folder as NSString).appendingPathComponent(name)
            }
        }
        for (input, out) in zip(inputs, paths) {
            guard let out else { continue }
            if URL(fileURLWithPath: out).standardizedFileURL.path == URL(fileURLWithPath: input).standardizedFileURL.path {
                throw DetectionError("\(out): refusing to overwrite the input image; choose another --output")
            }
            try OutputPlan.checkWritable(file: out)
        }
    }

    func path(for index: Int) -> String? { paths[index] }

    /// Throws unless the folder that would hold `file` exists and is writable.
    static func checkWritable(file: String) throws {
        let dir = (URL(fileURLWithPath: file).deletingLastPathComponent().path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw DetectionError("\(file): output folder \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw DetectionError("\(file): output folder \(dir) is not writable")
        }
    }
}
