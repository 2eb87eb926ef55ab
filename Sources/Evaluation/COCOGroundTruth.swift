import CLIP
import Detection
import Foundation

/// Ground truth in COCO "instances" format, as `pycocotools.coco.COCO` reads it (boxes only).
///
/// ```swift
/// let gt = try COCOGroundTruth.load(from: URL(fileURLWithPath: "annotations.json"))
/// let names = gt.categories.map(\.name)               // the classes to detect
/// let heldOut = gt.categories.filter { $0.extra["heldout"] == true }.map(\.id)
/// ```
///
/// Unknown keys are ignored (`info`, `licenses`, `segmentation`, …). `iscrowd` may be omitted
/// (then 0) and may be written as 0/1 or false/true.
public struct COCOGroundTruth: Sendable {
    /// One entry of `images`.
    public struct Image: Sendable {
        public var id: Int
        public var fileName: String
        public var width: Int
        public var height: Int

        public init(id: Int, fileName: String, width: Int, height: Int) {
            self.id = id
            self.fileName = fileName
            self.width = width
            self.height = height
        }
    }

    /// One entry of `annotations`. `bbox` is `[x, y, width, height]` in pixels; `area` is the
    /// stored value (for segmentations it is the mask area, not `width * height`), and it is
    /// what decides the small / medium / large ranges, as in pycocotools.
    public struct Annotation: Sendable {
        public var id: Int
        public var imageId: Int
        public var categoryId: Int
        public var bbox: [Double]
        public var area: Double
        public var iscrowd: Bool

        public init(id: Int, imageId: Int, categoryId: Int, bbox: [Double], area: Double, iscrowd: Bool = false) {
            self.id = id
            self.imageId = imageId
            self.categoryId = categoryId
            self.bbox = bbox
            self.area = area
            self.iscrowd = iscrowd
        }
    }

    /// One entry of `categories`. `extra` keeps the category's other boolean keys (for example
    /// `"heldout": true`); keys with non-boolean values (`supercategory`, …) are not kept.
    public struct Category: Sendable {
        public var id: Int
        public var name: String
        public var extra: [String: Bool]

        public init(id: Int, name: String, extra: [String: Bool] = [:]) {
            self.id = id
            self.name = name
            self.extra = extra
        }
    }

    public var images: [Image]
    public var annotations: [Annotation]
    public var categories: [Category]

    public init(images: [Image], annotations: [Annotation], categories: [Category]) {
        self.images = images
        self.annotations = annotations
        self.categories = categories
    }

    /// Reads and checks a COCO instances JSON file.
    ///
    /// - Throws: `DetectionError` with one line naming the file when it cannot be read, is not
    ///   JSON, lacks a required key (`images[].id/file_name/width/height`,
    ///   `annotations[].id/image_id/category_id/bbox/area`, `categories[].id/name`), or fails
    ///   `validate` (duplicate ids, dangling references, malformed boxes).
    public static func load(from url: URL) throws -> COCOGroundTruth {
        let data = try COCOJSON.read(url, what: "a COCO instances annotation file")
        return try decode(data, source: url.path)
    }

    /// Decodes and validates COCO instances JSON held in memory; `source` names it in errors.
    public static func decode(_ data: Data, source: String) throws -> COCOGroundTruth {
        let raw = try COCOJSON.decode(RawDataset.self, from: data, source: source)
        let gt = COCOGroundTruth(
            images: raw.images.map { Image(id: $0.id, fileName: $0.file_name, width: $0.width, height: $0.height) },
            annotations: raw.annotations.map {
                Annotation(id: $0.id, imageId: $0.image_id, categoryId: $0.category_id, bbox: $0.bbox,
                           area: $0.area, iscrowd: $0.iscrowd.value)
            },
            categories: raw.categories.map { Category(id: $0.id, name: $0.name, extra: $0.extra) })
        try gt.validate(source: source)
        return gt
    }

    /// Checks what pycocotools silently assumes: unique ids, annotations that refer to a listed
    /// image and category, boxes of four finite numbers with non-negative size, a finite area.
    ///
    /// Annotation id 0 is refused too: pycocotools stores the matched annotation id in a
    /// zero-means-unmatched array, so a detection matching annotation 0 would count as a false
    /// positive and give a wrong AP without any warning.
    public func validate(source: String) throws {
        var imageIds = Set<Int>(), categoryIds = Set<Int>(), annotationIds = Set<Int>()
        for (i, image) in images.enumerated() where !imageIds.insert(image.id).inserted {
            throw DetectionError("\(source): images[\(i)] repeats image id \(image.id)")
        }
        for (i, category) in categories.enumerated() where !categoryIds.insert(category.id).inserted {
            throw DetectionError("\(source): categories[\(i)] repeats category id \(category.id)")
        }
        for (i, a) in annotations.enumerated() {
            let at = "\(source): annotations[\(i)] (id \(a.id))"
            if a.id == 0 {
                throw DetectionError("\(source): annotations[\(i)] has id 0, which COCO evaluation treats as 'no match'; number annotations from 1")
            }
            guard annotationIds.insert(a.id).inserted else { throw DetectionError("\(at) repeats annotation id \(a.id)") }
            guard imageIds.contains(a.imageId) else { throw DetectionError("\(at) refers to image id \(a.imageId), which is not in images") }
            guard categoryIds.contains(a.categoryId) else {
                throw DetectionError("\(at) refers to category id \(a.categoryId), which is not in categories")
            }
            guard a.bbox.count == 4, a.bbox.allSatisfy(\.isFinite), a.bbox[2] >= 0, a.bbox[3] >= 0 else {
                throw DetectionError("\(at) has bbox \(a.bbox); expected [x, y, width, height] with width, height >= 0")
            }
            guard a.area.isFinite else { throw DetectionError("\(at) has a non-finite area") }
        }
    }
}

extension COCODetection {
    /// Reads a COCO results file and checks it against `groundTruth` with `validate`.
    ///
    /// - Throws: `DetectionError` naming the file when it is unreadable, not a JSON array of
    ///   detections, or refers to an image the ground truth does not list.
    public static func load(from url: URL, groundTruth: COCOGroundTruth) throws -> [COCODetection] {
        let data = try COCOJSON.read(url, what: "a COCO results file")
        let detections = try COCOJSON.decode([COCODetection].self, from: data, source: url.path)
        try validate(detections, against: groundTruth, source: url.path)
        return detections
    }

    /// Refuses detections pycocotools would refuse or choke on: an `image_id` missing from the
    /// ground truth (`loadRes` asserts "Results do not correspond to current coco set"), a bbox
    /// that is not four finite numbers, a non-finite score. Unknown `category_id`s are allowed:
    /// like pycocotools, evaluation simply never looks at them.
    public static func validate(_ detections: [COCODetection], against groundTruth: COCOGroundTruth, source: String) throws {
        let imageIds = Set(groundTruth.images.map(\.id))
        for (i, d) in detections.enumerated() {
            guard imageIds.contains(d.image_id) else {
                throw DetectionError("\(source): detection [\(i)] is on image id \(d.image_id), which the ground truth does not list")
            }
            guard d.bbox.count == 4, d.bbox.allSatisfy(\.isFinite) else {
                throw DetectionError("\(source): detection [\(i)] has bbox \(d.bbox); expected [x, y, width, height]")
            }
            guard d.score.isFinite else { throw DetectionError("\(source): detection [\(i)] has a non-finite score") }
        }
    }
}

// MARK: - JSON decoding

/// The file layout, field names as in the JSON.
private struct RawDataset: Decodable {
    struct RawImage: Decodable {
        let id: Int
        let file_name: String
        let width: Int
        let height: Int
    }

    struct RawAnnotation: Decodable {
        let id: Int
        let image_id: Int
        let category_id: Int
        let bbox: [Double]
        let area: Double
        let iscrowd: CrowdFlag
    }

    /// `iscrowd` as 0/1 or false/true; absent means 0.
    struct CrowdFlag: Decodable {
        let value: Bool
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { value = b } else { value = try c.decode(Int.self) != 0 }
        }
        init(_ value: Bool) { self.value = value }
    }

    struct RawCategory: Decodable {
        let id: Int
        let name: String
        let extra: [String: Bool]

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            id = try c.decode(Int.self, forKey: AnyKey("id"))
            name = try c.decode(String.self, forKey: AnyKey("name"))
            var extra: [String: Bool] = [:]
            for key in c.allKeys where key.stringValue != "id" && key.stringValue != "name" {
                if let flag = try? c.decode(Bool.self, forKey: key) { extra[key.stringValue] = flag }
            }
            self.extra = extra
        }
    }

    let images: [RawImage]
    let annotations: [RawAnnotation]
    let categories: [RawCategory]
}

extension RawDataset.RawAnnotation {
    enum CodingKeys: String, CodingKey { case id, image_id, category_id, bbox, area, iscrowd }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        image_id = try c.decode(Int.self, forKey: .image_id)
        category_id = try c.decode(Int.self, forKey: .category_id)
        bbox = try c.decode([Double].self, forKey: .bbox)
        area = try c.decode(Double.self, forKey: .area)
        iscrowd = try c.decodeIfPresent(RawDataset.CrowdFlag.self, forKey: .iscrowd) ?? RawDataset.CrowdFlag(false)
    }
}

private struct AnyKey: CodingKey {
    let stringValue: String
    let intValue: Int? = nil
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// COCO files through CLIP's one JSON reader (`JSONConfigFile`), its one-line messages
/// carried as `DetectionError`.
enum COCOJSON {
    static func read(_ url: URL, what: String) throws -> Data {
        do {
            return try JSONConfigFile.read(url, what: what)
        } catch let error as CLIPError {
            throw DetectionError(error.message)
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw DetectionError(JSONConfigFile.message(for: error, data: data, source: source))
        }
    }
}
