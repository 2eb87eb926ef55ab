import Foundation
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`), in a registry of its own so several
/// servers in one process (tests) do not mix their counts.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `clipdetect_http_requests_total` | counter | route, status |
/// | `clipdetect_http_request_duration_seconds` | histogram | route |
/// | `clipdetect_queue_depth` | gauge | admitted requests waiting for a worker |
/// | `clipdetect_workers_busy` | gauge | workers running a pass |
/// | `clipdetect_images_encoded_total` | counter | images decoded and run |
/// | `clipdetect_crops_encoded_total` | counter | crops (or OWL passes) through the image encoder |
/// | `clipdetect_text_cache_hits_total`, `_misses_total` | counter | prompt-embedding cache lookups |
final class ServerMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    static let routes = Set(Routes.endpoints.map(\.path))
    let queueDepth: Gauge
    let busy: Gauge
    let images: Counter
    let crops: Counter
    let cacheHits: Counter
    let cacheMisses: Counter
    private let lock = NSLock()
    private var cacheSeen = (hits: 0, misses: 0)

    init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "clipdetect", metricName: metric, unitName: unit, helpText: help)
        }
        queueDepth = registry.makeGauge(descriptor: name("queue_depth", "", "Admitted requests waiting for a worker."))
        busy = registry.makeGauge(descriptor: name("workers_busy", "", "Workers running a model pass."))
        images = registry.makeCounter(descriptor: name("images_encoded", "total", "Images decoded and run through the model."))
        crops = registry.makeCounter(descriptor: name("crops_encoded", "total", "Crops (one per OWL image) through the image encoder."))
        cacheHits = registry.makeCounter(descriptor: name("text_cache_hits", "total", "Class prompts answered by the embedding cache."))
        cacheMisses = registry.makeCounter(descriptor: name("text_cache_misses", "total", "Class prompts encoded by the text encoder."))
    }

    /// The route label of `path`: one of the routes, or "other" (bounded label values).
    static func route(_ path: String) -> String { routes.contains(path) ? path : "other" }

    func record(route: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "clipdetect", metricName: "http_requests", unitName: "total",
                                                              helpText: "HTTP requests by route and status."),
                             labels: [("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "clipdetect", metricName: "http_request_duration", unitName: "seconds",
                                             helpText: "Time from request to response."),
            labels: [("route", route)],
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]
        ).record(.nanoseconds(Int64(seconds * 1e9)))
    }

    /// Brings the cache counters up to `hits`, `misses` (the cache's running totals).
    func cache(hits: Int, misses: Int) {
        lock.lock()
        let dh = hits - cacheSeen.hits, dm = misses - cacheSeen.misses
        cacheSeen = (hits, misses)
        lock.unlock()
        if dh > 0 { cacheHits.increment(by: Int64(dh)) }
        if dm > 0 { cacheMisses.increment(by: Int64(dm)) }
    }

    func text() -> String { registry.emitToString() }
}
