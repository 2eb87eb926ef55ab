import CLIP

/// How many terminal columns text takes, so tables line up when labels mix scripts: East Asian
/// wide and fullwidth characters (Chinese, Japanese kana, Hangul, fullwidth forms, most emoji)
/// take two columns, combining marks and other zero-width characters none, everything else one.
///
/// ```swift
/// DisplayWidth.columns("长颈鹿")              // 6
/// DisplayWidth.columns("café")                // 4 (also with a combining accent)
/// DisplayWidth.padded("长颈鹿", to: 10) + "|"  // "长颈鹿    |"
/// ```
///
/// Widths are per code point, as terminals (wcwidth) count them, from the Unicode 14 tables in
/// DisplayWidth+Tables.swift (tools/make_display_width_table.py). Control characters count as
/// zero columns.
public enum DisplayWidth {
    /// Columns of one code point: 0, 1 or 2.
    public static func columns(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        if v < 0x300 { return 1 }
        if zero.sortedRangesContain(v) { return 0 }
        return wide.sortedRangesContain(v) ? 2 : 1
    }

    /// Columns of `text`: the sum over its code points.
    public static func columns(_ text: some StringProtocol) -> Int {
        text.unicodeScalars.reduce(0) { $0 + columns($1) }
    }

    /// `text` followed by spaces up to `width` columns (unchanged when it is already as wide).
    public static func padded(_ text: String, to width: Int) -> String {
        let missing = width - columns(text)
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }
}
