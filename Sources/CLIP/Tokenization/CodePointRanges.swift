extension Array where Element == ClosedRange<UInt32> {
    /// Whether `value` lies in one of these ranges, which must be sorted and disjoint (binary
    /// search): the lookup of the generated Unicode tables (tokenizer character classes,
    /// terminal display widths).
    ///
    /// ```swift
    /// [0x30...0x39, 0x4E00...0x9FFF].sortedRangesContain(0x957F)   // true
    /// ```
    public func sortedRangesContain(_ value: UInt32) -> Bool {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].upperBound < value {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low < count && self[low].contains(value)
    }
}
