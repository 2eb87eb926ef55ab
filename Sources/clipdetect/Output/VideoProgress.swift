import Foundation

/// "detected 24/159 (frame 120/795), 0.21 frames/s, ETA 10:05" on stderr, redrawn in place,
/// only when stderr is a terminal.
struct VideoProgress {
    let expected: Int?
    let frameCount: Int?
    private let start = Date()
    private var done = 0
    private let enabled = stderrIsTerminal

    init(expected: Int?, frameCount: Int?) {
        self.expected = expected
        self.frameCount = frameCount
    }

    mutating func detected(frame: Int) {
        done += 1
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var text = "detected \(done)" + (expected.map { "/\($0)" } ?? "")
        text += " (frame \(frame + 1)" + (frameCount.map { "/\($0)" } ?? "") + ")"
        text += String(format: ", %.2f frames/s", rate)
        if let expected, rate > 0, expected > done {
            let eta = Int(Double(expected - done) / rate)
            text += String(format: ", ETA %d:%02d", eta / 60, eta % 60)
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func finish() {
        if enabled, done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
