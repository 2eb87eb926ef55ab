import Detection
import TestSupport
import XCTest

final class ClassSpecTests: XCTestCase {
    func testCommaListWithPerClassThresholds() throws {
        let specs = try ClassSpec.parseList("person:0.3, red backpack:0.5,dog")
        XCTAssertEqual(specs.map(\.name), ["person", "red backpack", "dog"])
        XCTAssertEqual(specs.map(\.threshold), [0.3, 0.5, nil])
    }

    func testColonThatIsNotAThresholdStaysInTheName() throws {
        let specs = try ClassSpec.parseList("sign reading: stop,ratio 16:9 screen")
        XCTAssertEqual(specs.map(\.name), ["sign reading: stop", "ratio 16:9 screen"])
        XCTAssertEqual(specs.map(\.threshold), [nil, nil])
    }

    func testEmptyListIsAnError() {
        XCTAssertThrowsError(try ClassSpec.parseList(" , ,")) { XCTAssertTrue("\($0)".contains("empty")) }
    }

    func testThresholdOutOfRangeIsAnError() {
        XCTAssertThrowsError(try ClassSpec.parseList("cat:1.5")) { XCTAssertTrue("\($0)".contains("[0, 1]")) }
    }

    func testDuplicateClassIsAnError() {
        XCTAssertThrowsError(try ClassSpec.parseList("cat,dog,cat")) { XCTAssertTrue("\($0)".contains("twice")) }
    }

    func testClassesFileSkipsCommentsAndBlankLines() throws {
        let specs = try ClassSpec.parseLines("# animals\ncat:0.4\n\ndog\n", file: "classes.txt")
        XCTAssertEqual(specs.map(\.name), ["cat", "dog"])
        XCTAssertEqual(specs[0].threshold, 0.4)
    }

    func testTemplateNeedsExactlyOnePlaceholder() {
        XCTAssertNoThrow(try PromptTemplates.validate("a photo of a {}."))
        XCTAssertThrowsError(try PromptTemplates.validate("a photo"))
        XCTAssertThrowsError(try PromptTemplates.validate("{} and {}"))
        XCTAssertEqual(PromptTemplates.imagenet.count, 80)
    }
}
