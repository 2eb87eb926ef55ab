import Dispatch
import Foundation

/// Ctrl-C (SIGINT) or SIGTERM while a video runs: the first one asks the frame loop to stop
/// after the current frame (it then closes the outputs properly and renames them); a second one
/// removes the temporaries and exits at once. Exit status 128 + signal number (130 for Ctrl-C).
final class InterruptSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var received: Int32 = 0
    private var sources: [DispatchSourceSignal] = []
    static let signals = [SIGINT, SIGTERM]

    init(temporaries: [String]) {
        for signo in Self.signals {
            signal(signo, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            s.setEventHandler { [unowned self] in
                lock.lock()
                count += 1
                let n = count
                if received == 0 { received = signo }
                lock.unlock()
                if n == 1 {
                    FileHandle.standardError.write(Data("\ninterrupted: finishing the current frame (again to abort)\n".utf8))
                } else {
                    for t in temporaries { unlink(t) }
                    _exit(128 + signo)
                }
            }
            s.resume()
            sources.append(s)
        }
    }

    /// The first signal received, or nil.
    var raised: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return count > 0 ? received : nil
    }

    func cancel() {
        for s in sources { s.cancel() }
        for signo in Self.signals { signal(signo, SIG_DFL) }
    }
}
