public extension String {
    /// The text an OpenCV shim call left in its NUL-terminated message buffer (invalid UTF-8
    /// repaired).
    init(shimMessage buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
