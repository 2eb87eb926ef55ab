import Foundation

/// Bounded model work: `workers` threads run passes, at most `queueLimit` admitted requests
/// wait, and one more is refused at once (429) instead of piling up. Passes run on their own
/// threads, never on Swift's cooperative pool, so a busy model does not stall the event loops
/// answering `/healthz`, `/metrics` or 429s.
///
/// A request takes a ``Ticket`` before reading its body (so at most workers + queueLimit
/// bodies are buffered at once) and gives it back when its pass ends — also when the client
/// was already answered 504, so the bound holds for the work actually running.
final class WorkerPool: @unchecked Sendable {
    let workers: Int
    let queueLimit: Int
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var admitted = 0
    private var running = 0
    private var stopping = false
    private var threads: [Thread] = []
    /// Tests only: each job sleeps this long first, so work can be held in flight.
    var delayForTesting: TimeInterval = 0
    /// Called with (waiting, running) after every change.
    var onChange: @Sendable (Int, Int) -> Void = { _, _ in }

    init(workers: Int, queueLimit: Int) {
        self.workers = workers
        self.queueLimit = queueLimit
        for i in 0..<workers {
            let t = Thread { [unowned self] in self.loop() }
            t.name = "clipdetect-worker-\(i)"
            t.stackSize = 8 << 20
            threads.append(t)
            t.start()
        }
    }

    /// A place in the pool, given back exactly once.
    final class Ticket: @unchecked Sendable {
        private let pool: WorkerPool
        private let lock = NSLock()
        private var returned = false
        init(pool: WorkerPool) { self.pool = pool }
        func release() {
            lock.lock()
            let first = !returned
            returned = true
            lock.unlock()
            if first { pool.leave() }
        }
    }

    /// A ticket, or 429 when workers + queueLimit requests are admitted already (503 while
    /// stopping).
    func admit() throws -> Ticket {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { throw APIError(.serviceUnavailable, "the server is shutting down", retryAfter: 1) }
        guard admitted < workers + queueLimit else {
            throw APIError(.tooManyRequests, "the server is busy (\(admitted) requests admitted); retry later", retryAfter: 1)
        }
        admitted += 1
        notify()
        return Ticket(pool: self)
    }

    private func leave() {
        condition.lock()
        admitted -= 1
        notify()
        condition.unlock()
    }

    /// Must hold the lock.
    private func notify() {
        let r = running, w = admitted - running
        onChange(max(0, w), r)
    }

    /// Runs `body` on a worker thread; answers 504 when `deadline` passes first (the pass
    /// still finishes and only then gives `ticket` back).
    func run<T: Sendable>(_ ticket: Ticket, deadline: ContinuousClock.Instant, what: String,
                          _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let once = Once<T>()
        let timeoutMessage = "\(what) did not finish within the request time limit"
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                once.set(continuation)
                let timer = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    if !Task.isCancelled { once.resume(.failure(APIError(.gatewayTimeout, timeoutMessage))) }
                }
                once.onResume { timer.cancel() }
                let delay = delayForTesting
                enqueue {
                    defer { ticket.release() }
                    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
                    guard !once.isDone else { return }  // answered 504 while it waited
                    guard ContinuousClock.now < deadline else {
                        once.resume(.failure(APIError(.gatewayTimeout, timeoutMessage)))
                        return
                    }
                    once.resume(Result { try body() })
                }
            }
        } onCancel: {
            once.resume(.failure(CancellationError()))
        }
    }

    private func enqueue(_ job: @escaping () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            running += 1
            notify()
            condition.unlock()
            job()
            condition.lock()
            running -= 1
            notify()
            condition.broadcast()  // for waitUntilIdle
            condition.unlock()
        }
    }

    /// Refuses new tickets (503); queued and running jobs still finish.
    func beginShutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until no job is queued or running. After `beginShutdown` this is bounded by the
    /// passes already running: queued jobs of requests answered meanwhile return at once.
    func waitUntilIdle() {
        condition.lock()
        while running > 0 || !jobs.isEmpty { condition.wait() }
        condition.unlock()
    }

    /// Jobs running now.
    var busyWorkers: Int {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    /// Requests admitted and not finished.
    var inFlight: Int {
        condition.lock()
        defer { condition.unlock() }
        return admitted
    }
}

/// A continuation resumed at most once, from whichever of pass, timer or cancellation comes
/// first.
private final class Once<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var pending: Result<T, any Error>?
    private var done = false
    private var hooks: [() -> Void] = []

    func set(_ c: CheckedContinuation<T, any Error>) {
        lock.lock()
        if let pending {
            lock.unlock()
            c.resume(with: pending)
            return
        }
        continuation = c
        lock.unlock()
    }

    func onResume(_ hook: @escaping () -> Void) {
        lock.lock()
        if done { lock.unlock(); hook(); return }
        hooks.append(hook)
        lock.unlock()
    }

    var isDone: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    func resume(_ result: Result<T, any Error>) {
        lock.lock()
        guard !done else { lock.unlock(); return }
        done = true
        let c = continuation
        continuation = nil
        if c == nil { pending = result }
        let h = hooks
        hooks = []
        lock.unlock()
        c?.resume(with: result)
        for f in h { f() }
    }
}
