import Foundation

/// How far an index update has got, reported after every committed batch.
public struct IndexProgress: Equatable, Sendable {
    /// Files processed so far (encoded or failed).
    public var done: Int
    /// Files this update has to process.
    public var total: Int
    /// Seconds since processing started.
    public var elapsedSeconds: Double

    public init(done: Int, total: Int, elapsedSeconds: Double) {
        self.done = done
        self.total = total
        self.elapsedSeconds = elapsedSeconds
    }

    /// Throughput so far (0 before the first batch).
    public var imagesPerSecond: Double { elapsedSeconds > 0 ? Double(done) / elapsedSeconds : 0 }

    /// Estimated seconds left at the current rate, nil before the first batch.
    public var etaSeconds: Double? {
        imagesPerSecond > 0 ? Double(total - done) / imagesPerSecond : nil
    }

    /// One terminal line: `[#########...........]  120/1000  21.3 images/s  ETA 0:41`.
    /// - Parameter barWidth: characters inside the brackets.
    public func line(barWidth: Int = 30) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        let width = String(total).count
        let count = String(repeating: " ", count: max(0, width - String(done).count)) + "\(done)/\(total)"
        let rate = imagesPerSecond > 0 ? String(format: "%.1f images/s", imagesPerSecond) : "-- images/s"
        let eta = etaSeconds.map { Self.clock($0) } ?? "--:--"
        return "[\(bar)] \(count)  \(rate)  ETA \(eta)"
    }

    /// `m:ss`, or `h:mm:ss` from an hour up.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
