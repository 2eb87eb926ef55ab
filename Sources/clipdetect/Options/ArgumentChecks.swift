import ArgumentParser
import Foundation

/// Argument checks for the commands' `validate()`: each failure is a `ValidationError` naming
/// the flag, printed by `ClipDetect.main` as one `error: …` line.
enum ArgumentChecks {
    /// `value` of `flag` must lie in `range`.
    static func require<T: Comparable>(_ flag: String, _ value: T, in range: ClosedRange<T>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) \(value) must be in [\(range.lowerBound), \(range.upperBound)]")
        }
    }

    /// `value` of `flag` must lie in `range` (numbers shown as typed: 1, 0.5).
    static func require(_ flag: String, _ value: Float, in range: ClosedRange<Float>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) \(shown(value)) must be in [\(shown(range.lowerBound)), \(shown(range.upperBound))]")
        }
    }

    private static func shown(_ value: Float) -> String { String(format: "%g", Double(value)) }

    /// `value` of `flag` must be at least `minimum`.
    static func require<T: Comparable>(_ flag: String, _ value: T, atLeast minimum: T) throws {
        guard value >= minimum else { throw ValidationError("\(flag) \(value) must be ≥ \(minimum)") }
    }

    /// At most one of `flags` may be given (`given` says which are).
    static func exclusive(_ flags: [String], given: [Bool]) throws {
        guard given.filter({ $0 }).count <= 1 else {
            throw ValidationError("\(flags.joined(separator: " and ")) are exclusive: pick one")
        }
    }

    /// Runs a library check on the value of `flag`, reporting its failure under the flag's name.
    static func check(_ flag: String, _ body: () throws -> Void) throws {
        do { try body() } catch { throw ValidationError("\(flag): \(error)") }
    }
}
