import ArgumentParser
import CLIP
import Foundation
import Search

extension IndexCommand {
    /// `clipdetect index --import SHARDS --index FILE`: stores the rows of a cluster run
    /// (`tools/ray/clipdetect_ray.py index --output SHARDS`) in the index, so `search` works on
    /// them as on a locally built index.
    func runImport(_ shards: String) throws {
        try reportingErrors {
            try OutputPlan.checkWritable(file: index)
            let db = try ImageIndex(path: index, mode: .create)
            let report = try db.importShards(folder: shards)
            for s in report.skipped { printError("warning: not imported \(s)") }
            if json {
                struct ImportSummary: Encodable { var shards, imported, failed, skipped: Int; var models: [String] }
                try writeJSON(ImportSummary(shards: report.shards, imported: report.imported, failed: report.failed,
                                            skipped: report.skipped.count, models: report.modelIDs))
            } else {
                print("\(index): imported \(report.imported) images from \(report.shards) shards in \(shards) "
                      + "(\(report.failed) unreadable, \(report.skipped.count) not imported), model \(report.modelIDs.joined(separator: ", "))")
            }
        }
    }
}
