import XCTest

@testable import Imaging

/// `DisplayWidth`: the terminal columns a text takes (wide and fullwidth 2, combining 0).
final class DisplayWidthTests: XCTestCase {
    func testASCIIIsOneColumnPerCharacter() {
        XCTAssertEqual(DisplayWidth.columns("a giraffe"), 9)
        XCTAssertEqual(DisplayWidth.columns(""), 0)
    }

    func testWideAndFullwidthCharactersTakeTwoColumns() {
        XCTAssertEqual(DisplayWidth.columns("长颈鹿"), 6, "CJK ideographs (W)")
        XCTAssertEqual(DisplayWidth.columns("ＡＢ"), 4, "fullwidth Latin (F)")
        XCTAssertEqual(DisplayWidth.columns("キリン"), 6, "katakana")
        XCTAssertEqual(DisplayWidth.columns("기린"), 4, "Hangul syllables")
        XCTAssertEqual(DisplayWidth.columns("🦒"), 2, "emoji presentation (W)")
        XCTAssertEqual(DisplayWidth.columns("长颈鹿 a"), 8)
        XCTAssertEqual(DisplayWidth.columns("\u{3400}\u{9FFF}\u{2A6DF}"), 6, "unassigned or extension ideographs default to W")
    }

    func testCombiningMarksAndZeroWidthCharactersTakeNone() {
        XCTAssertEqual(DisplayWidth.columns("cafe\u{301}"), 4, "combining acute")
        XCTAssertEqual(DisplayWidth.columns("café"), 4, "precomposed")
        XCTAssertEqual(DisplayWidth.columns("a\u{200B}b"), 2, "zero-width space")
        XCTAssertEqual(DisplayWidth.columns("\u{1100}\u{1161}"), 2, "Hangul jamo: wide initial, zero-width medial vowel")
        XCTAssertEqual(DisplayWidth.columns("a\tb\u{7}"), 2, "controls")
        XCTAssertEqual(DisplayWidth.columns("soft\u{AD}hyphen"), 11, "the soft hyphen shows")
    }

    func testNarrowNonLatinScriptsTakeOneColumn() {
        XCTAssertEqual(DisplayWidth.columns("жираф"), 5)
        XCTAssertEqual(DisplayWidth.columns("½€"), 2, "ambiguous-width characters count as narrow")
    }

    func testPaddingCountsColumns() {
        XCTAssertEqual(DisplayWidth.padded("长颈鹿", to: 8), "长颈鹿  ")
        XCTAssertEqual(DisplayWidth.padded("abc", to: 5), "abc  ")
        XCTAssertEqual(DisplayWidth.padded("长颈鹿", to: 4), "长颈鹿", "never cut")
    }

    /// The generated tables must stay sorted and disjoint: the lookup is a binary search.
    func testTablesAreSortedAndDisjoint() {
        for table in [DisplayWidth.wide, DisplayWidth.zero] {
            for (a, b) in zip(table, table.dropFirst()) {
                XCTAssertLessThan(a.upperBound, b.lowerBound)
            }
        }
    }
}
