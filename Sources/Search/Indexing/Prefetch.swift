import Dispatch

/// A value computed on a background queue, collected with `wait()`.
final class Prefetch<T>: @unchecked Sendable {
    private var value: T?
    private let group = DispatchGroup()

    init(on queue: DispatchQueue, _ work: @escaping () -> T) {
        group.enter()
        queue.async {
            self.value = work()
            self.group.leave()
        }
    }

    func wait() -> T {
        group.wait()
        return value!
    }
}
