/// The files the binary serves, embedded at build time from `Sources/Serving/Resources`
/// (SwiftPM's `embedInCode`): the web page (`GET /`) and the OpenAPI description
/// (`GET /openapi.yaml`). Nothing is read from disk at run time.
enum WebAssets {
    static var page: [UInt8] { PackageResources.index_html }
    static var openAPI: [UInt8] { PackageResources.openapi_yaml }
}
