/// The merge table of a BPE vocabulary and the merge loop of Hugging Face `tokenizers`
/// (`Word::merge_all`): a min-heap of candidate merges ordered by (rank, position), stale
/// entries skipped when popped. O(n log n) in the word length, so a 10,000-byte "word" is
/// still cheap, and the result is the one `tokenizers` gives, tie-breaking included.
struct BPEMerger: Sendable {
    /// (left id, right id) packed as `left << 32 | right` → (rank, merged id) packed alike.
    private let merges: [UInt64: UInt64]

    init(merges: [UInt64: UInt64]) {
        self.merges = merges
    }

    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    static func value(rank: Int, mergedId: Int32) -> UInt64 {
        UInt64(rank) << 32 | UInt64(UInt32(bitPattern: mergedId))
    }

    private struct Candidate {
        var order: UInt64  // rank << 32 | position: smaller pops first.
        var mergedId: Int32
    }

    /// Merges `symbols` (the initial one-byte token ids of a word) in place to its final ids.
    func merge(_ symbols: inout [Int32]) {
        let count = symbols.count
        guard count > 1 else { return }
        // Doubly linked list over `symbols`; `alive[i] == false` marks a symbol merged away.
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = i + 1 < count ? Int32(i + 1) : -1 }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var heap = [Candidate]()
        heap.reserveCapacity(count)

        for position in 0..<(count - 1) {
            if let found = merges[Self.key(symbols[position], symbols[position + 1])] {
                push(&heap, Candidate(order: found & 0xFFFF_FFFF_0000_0000 | UInt64(position), mergedId: Int32(truncatingIfNeeded: found)))
            }
        }

        while let top = pop(&heap) {
            let position = Int(top.order & 0xFFFF_FFFF)
            guard alive[position], next[position] >= 0 else { continue }
            let right = Int(next[position])
            guard let current = merges[Self.key(symbols[position], symbols[right])],
                  Int32(truncatingIfNeeded: current) == top.mergedId else { continue }

            symbols[position] = top.mergedId
            alive[right] = false
            let afterRight = next[right]
            next[position] = afterRight
            if afterRight >= 0 { previous[Int(afterRight)] = Int32(position) }

            let before = previous[position]
            if before >= 0, let found = merges[Self.key(symbols[Int(before)], top.mergedId)] {
                push(&heap, Candidate(order: found & 0xFFFF_FFFF_0000_0000 | UInt64(before), mergedId: Int32(truncatingIfNeeded: found)))
            }
            if afterRight >= 0, let found = merges[Self.key(top.mergedId, symbols[Int(afterRight)])] {
                push(&heap, Candidate(order: found & 0xFFFF_FFFF_0000_0000 | UInt64(position), mergedId: Int32(truncatingIfNeeded: found)))
            }
        }

        var write = 0
        for read in 0..<count where alive[read] {
            symbols[write] = symbols[read]
            write += 1
        }
        symbols.removeLast(count - write)
    }

    private func push(_ heap: inout [Candidate], _ candidate: Candidate) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].order < heap[parent].order else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop(_ heap: inout [Candidate]) -> Candidate? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right].order < heap[left].order ? right : left
            guard heap[smaller].order < heap[parent].order else { break }
            heap.swapAt(parent, smaller)
            parent = smaller
        }
        return top
    }
}
