import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP answer: status, headers (names lower-cased) and the URL that gave it.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let url: URL

    /// An answer as received; header names are lower-cased here.
    public init(status: Int, headers: [String: String], url: URL) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.url = url
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var isRedirect: Bool { (300..<400).contains(status) && header("location") != nil }
}

/// Blocking HTTP over `URLSession` (libcurl on Linux, which also brings TLS for the real hub —
/// the reason this is not a hand-written socket client). Bodies are streamed to a closure, so a
/// multi-gigabyte download never sits in memory.
final class HTTPClient: Sendable {
    enum Redirects {
        /// Follow only redirects that stay on the same scheme/host/port, and answer with the
        /// first one that leaves: the hub puts a file's metadata on its redirect to the CDN.
        case sameOriginOnly
        /// Follow every redirect, dropping `Authorization` when the origin changes (CDN URLs are signed).
        case all
    }

    let timeout: TimeInterval

    init(timeout: TimeInterval) { self.timeout = timeout }

    /// Sends a request and streams its body to `onData`. `onResponse` sees the final status and
    /// headers first and may throw to stop before any body byte is taken.
    /// Throws the transport error (`URLError`) or whatever a closure threw.
    func send(_ method: String, _ url: URL, headers: [String: String], redirects: Redirects,
              onResponse: @escaping (HTTPResponse) throws -> Void = { _ in },
              onData: @escaping (Data) throws -> Void = { _ in }) throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let exchange = Exchange(redirects: redirects, headers: headers, onResponse: onResponse, onData: onData)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.timeoutIntervalForResource = 7 * 24 * 3600
        config.urlCache = nil
        config.httpCookieStorage = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: exchange, delegateQueue: queue)
        session.dataTask(with: request).resume()
        exchange.done.wait()
        session.finishTasksAndInvalidate()
        if let error = exchange.failure { throw error }
        guard let response = exchange.response else { throw URLError(.badServerResponse) }
        return response
    }

    static func origin(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }
}

/// The delegate of one request; lives on its session's serial queue.
private final class Exchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let redirects: HTTPClient.Redirects
    let headers: [String: String]
    let onResponse: (HTTPResponse) throws -> Void
    let onData: (Data) throws -> Void
    let done = DispatchSemaphore(value: 0)
    var response: HTTPResponse?
    var failure: Error?

    init(redirects: HTTPClient.Redirects, headers: [String: String],
         onResponse: @escaping (HTTPResponse) throws -> Void, onData: @escaping (Data) throws -> Void) {
        self.redirects = redirects
        self.headers = headers
        self.onResponse = onResponse
        self.onData = onData
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        guard let target = request.url, let from = response.url ?? task.currentRequest?.url else {
            completionHandler(nil)
            return
        }
        guard let allowed = HubAnswers.redirectHeaders(from: from, to: target, sameOriginOnly: redirects == .sameOriginOnly,
                                                       headers: headers) else {
            completionHandler(nil)
            return
        }
        // Rebuild the request: the method must survive (HEAD stays HEAD) and the token must
        // not travel to another origin.
        var next = URLRequest(url: target)
        next.httpMethod = task.originalRequest?.httpMethod ?? "GET"
        next.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        for (k, v) in allowed {
            next.setValue(v, forHTTPHeaderField: k)
        }
        completionHandler(next)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            failure = URLError(.badServerResponse)
            completionHandler(.cancel)
            return
        }
        let r = Exchange.convert(http, fallbackURL: dataTask.currentRequest?.url)
        self.response = r
        do {
            try onResponse(r)
            completionHandler(.allow)
        } catch {
            failure = error
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try onData(data)
        } catch {
            failure = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if response == nil, let http = task.response as? HTTPURLResponse {
            // A refused redirect ends the task without `didReceive response` on some platforms.
            response = Exchange.convert(http, fallbackURL: task.currentRequest?.url)
        }
        if failure == nil, let error { failure = error }
        done.signal()
    }

    static func convert(_ http: HTTPURLResponse, fallbackURL: URL?) -> HTTPResponse {
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, url: http.url ?? fallbackURL ?? URL(string: "about:blank")!)
    }
}
