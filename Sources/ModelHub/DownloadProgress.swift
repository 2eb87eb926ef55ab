import Foundation

/// Receives download progress; `ModelHub` calls it from the downloading thread.
public protocol DownloadProgressReporting: AnyObject {
    /// A file starts (or resumes at `completed` bytes); `total` is nil when the server did not say.
    func begin(file: String, completed: Int64, total: Int64?)
    func advance(by bytes: Int64)
    func end()
}

/// One self-overwriting line on stderr (`model.safetensors  41.2 / 605.1 MB  6%  12.0 MB/s`),
/// redrawn at most ten times a second. Use `ifTerminal()` so pipes and logs stay clean.
public final class TerminalProgress: DownloadProgressReporting {
    private var file = ""
    private var done: Int64 = 0
    private var total: Int64?
    private var started = Date()
    private var startBytes: Int64 = 0
    private var lastDraw = Date.distantPast

    public init() {}

    /// A reporter when stderr is a terminal, else nil.
    public static func ifTerminal() -> TerminalProgress? {
        isatty(STDERR_FILENO) != 0 ? TerminalProgress() : nil
    }

    public func begin(file: String, completed: Int64, total: Int64?) {
        self.file = file
        done = completed
        startBytes = completed
        self.total = total
        started = Date()
        lastDraw = .distantPast
        draw(force: true)
    }

    public func advance(by bytes: Int64) {
        done += bytes
        draw(force: false)
    }

    public func end() {
        draw(force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let mb = { (b: Int64) in String(format: "%.1f", Double(b) / 1_000_000) }
        var line = "\r\(file)  \(mb(done))"
        if let total, total > 0 {
            line += " / \(mb(total)) MB  \(Int(Double(done) * 100 / Double(total)))%"
        } else {
            line += " MB"
        }
        let elapsed = now.timeIntervalSince(started)
        if elapsed > 0.5 { line += String(format: "  %.1f MB/s", Double(done - startBytes) / elapsed / 1_000_000) }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }
}
