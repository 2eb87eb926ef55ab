import CLIP
import TestSupport
import XCTest
import Search

/// `ModelIdentity`: the id an index stores rows under and the source that reloads the model.
final class ModelIdentityTests: XCTestCase {
    func testRecordedSourcesRoundTrip() {
        for source: ModelIdentity.Source in [.folder("/models/shapes-tiny"), .randomPreset("vit-b-32", seed: 24301),
                                             .folder("relative/config:odd")] {
            XCTAssertEqual(ModelIdentity.Source(recorded: source.recorded), source)
        }
        XCTAssertEqual(ModelIdentity.Source.randomPreset("vit-b-16", seed: 7).recorded, "config:vit-b-16:7")
        XCTAssertEqual(ModelIdentity.Source(recorded: "config:vit-b-16:notanumber"), .folder("config:vit-b-16:notanumber"))
    }

    func testRandomPresetsAddTheirSeedToTheId() throws {
        let model = try TestFixtures.clipModel()
        XCTAssertEqual(ModelIdentity(model: model, source: .folder("/x")).id, ModelIdentity.id(of: model))
        XCTAssertEqual(ModelIdentity(model: model, source: .randomPreset("p", seed: 5)).id, ModelIdentity.id(of: model) + " seed=5")
        XCTAssertTrue(ModelIdentity.id(of: model).hasPrefix(model.name + " \(model.embeddingDimension)d logit_scale="))
    }
}
