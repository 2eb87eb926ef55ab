import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ModelHub

/// A tiny stand-in for the Hugging Face hub on 127.0.0.1 (ephemeral port), speaking the
/// `/ORG/NAME/resolve/REV/FILE` protocol `huggingface_hub` relies on: `X-Repo-Commit`, `ETag`,
/// `X-Error-Code`, and for LFS files a 302 to a "CDN" on another origin (`localhost`) with
/// `X-Linked-Etag` (sha256) and `X-Linked-Size`. The CDN honours `Range`.
///
/// Also `GET /api/models/ORG/NAME/discussions?p=K`, paged like the hub (`discussions`, `count`,
/// `start`), for the safetensors pull-request hint.
///
/// Knobs for failure tests: `cutNextTransfer` (send half a body, then hang up), `servedBytes`
/// (serve other bytes than announced), `requiredToken` (401 without it). Every request is logged.
/// Deliberately XCTest-free so it can also be compiled into a standalone server for interop checks.
final class LoopbackHub: @unchecked Sendable {
    struct Request { var method: String; var path: String; var headers: [String: String] }
    struct File {
        let data: Data
        let lfs: Bool
        /// LFS: the sha256 of `data`. Otherwise a 40-hex content id standing in for the git blob
        /// sha1 (clients never verify it; hashing it with SHA-256 in a debug build costs seconds).
        let etag: String
        init(data: Data, lfs: Bool) {
            self.data = data
            self.lfs = lfs
            etag = lfs ? LoopbackHub.sha256(data) : LoopbackHub.contentID(data)
        }
    }
    struct Repo { var commits: [String: [String: File]]; var refs: [String: String] }
    struct Discussion { var num: Int; var title: String; var isPullRequest: Bool; var status: String }

    private(set) var port: UInt16 = 0
    private let listener: Int32
    private let lock = NSLock()
    private var _repos: [String: Repo] = [:]
    private var _requests: [Request] = []
    private var _cut: Set<String> = []
    private var _servedBytes: [String: Data] = [:]
    private var _requiredToken: String?
    private var _discussions: [String: [Discussion]] = [:]
    /// Discussions per page of the listing (the hub uses 50).
    var discussionsPageSize = 50

    var requests: [Request] { lock.withLock { _requests } }
    /// Requests for a path containing `fragment`.
    func requests(matching fragment: String) -> [Request] { requests.filter { $0.path.contains(fragment) } }
    func resetLog() { lock.withLock { _requests.removeAll() } }

    /// Adds (or replaces) `repo` with `files` at `commit`, and points `branch` at it.
    func publish(_ repo: String, commit: String, files: [String: File], branch: String? = "main") {
        lock.withLock {
            var r = _repos[repo] ?? Repo(commits: [:], refs: [:])
            r.commits[commit] = files
            if let branch { r.refs[branch] = commit }
            _repos[repo] = r
        }
    }

    /// The next CDN transfer of the blob with this sha256 sends half its body, then closes.
    func cutNextTransfer(sha256: String) { lock.withLock { _ = _cut.insert(sha256) } }
    /// The CDN serves `data` for `sha256` (while the hub keeps announcing `sha256`).
    func serve(_ data: Data, forSHA256 sha256: String) { lock.withLock { _servedBytes[sha256] = data } }
    func requireToken(_ token: String?) { lock.withLock { _requiredToken = token } }
    /// Adds a discussion (or pull request) to `repo`'s listing; the listing shows them newest first.
    func addDiscussion(_ repo: String, _ discussion: Discussion) { lock.withLock { _discussions[repo, default: []].insert(discussion, at: 0) } }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw HubError(.network, "test server: socket() failed") }
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        guard bound == 0, listen(listener, 64) == 0 else { throw HubError(.network, "test server: bind/listen failed") }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        port = UInt16(bigEndian: addr.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        // Close only once the accept thread has left accept(): otherwise the descriptor number
        // can be reused by the next test's listener and this thread would steal its connections.
        _ = acceptLoopDone.wait(timeout: .now() + 5)
        close(listener)
    }

    private let acceptLoopDone = DispatchSemaphore(value: 0)

    private func acceptLoop() {
        defer { acceptLoopDone.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in
                handle(fd)
                close(fd)
            }.start()
        }
    }

    // MARK: - HTTP

    private func handle(_ fd: Int32) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !buffer.containsHeaderEnd {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return }
            buffer += chunk[0..<n]
            if buffer.count > 65536 { return }
        }
        let head = String(decoding: buffer, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        var lines = head.components(separatedBy: "\r\n")
        let start = lines.removeFirst().split(separator: " ")
        guard start.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let request = Request(method: String(start[0]), path: String(start[1]), headers: headers)
        lock.withLock { _requests.append(request) }
        respond(to: request, fd: fd)
    }

    private func respond(to r: Request, fd: Int32) {
        let parts = r.path.split(separator: "?")[0].split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.count == 2, parts[0] == "cdn" { return serveBlob(sha: parts[1], request: r, fd: fd) }
        if parts.count == 5, parts[0] == "api", parts[1] == "models", parts[4] == "discussions" {
            return serveDiscussions(repo: parts[2] + "/" + parts[3], request: r, fd: fd)
        }
        guard parts.count >= 5, parts[2] == "resolve" else { return send(fd, status: 404, headers: [:], body: Data("not found".utf8), head: r.method == "HEAD") }
        let repoID = parts[0] + "/" + parts[1]
        let revision = parts[3].removingPercentEncoding ?? parts[3]
        let file = parts[4...].joined(separator: "/").removingPercentEncoding ?? ""
        let (repos, token) = lock.withLock { (_repos, _requiredToken) }
        let isHead = r.method == "HEAD"
        if let token, r.headers["authorization"] != "Bearer \(token)" {
            return send(fd, status: 401, headers: ["X-Error-Code": "RepoNotFound", "X-Error-Message": "Invalid username or password."], body: Data(), head: isHead)
        }
        guard let repo = repos[repoID] else {
            return send(fd, status: 404, headers: ["X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"], body: Data(), head: isHead)
        }
        guard let commit = repo.refs[revision] ?? (repo.commits[revision] != nil ? revision : nil), let files = repo.commits[commit] else {
            return send(fd, status: 404, headers: ["X-Error-Code": "RevisionNotFound", "X-Error-Message": "Invalid rev id: \(revision)"], body: Data(), head: isHead)
        }
        guard let entry = files[file] else {
            return send(fd, status: 404, headers: ["X-Error-Code": "EntryNotFound", "X-Error-Message": "Entry not found", "X-Repo-Commit": commit], body: Data(), head: isHead)
        }
        let sha = entry.etag
        if entry.lfs {
            // As the hub: metadata on the redirect, bytes on another origin.
            return send(fd, status: 302, headers: [
                "Location": "http://localhost:\(port)/cdn/\(sha)", "X-Repo-Commit": commit,
                "X-Linked-Etag": "\"\(sha)\"", "X-Linked-Size": "\(entry.data.count)", "ETag": "\"\(sha.prefix(40))\"",
            ], body: Data("Found. Redirecting".utf8), head: isHead)
        }
        send(fd, status: 200, headers: ["X-Repo-Commit": commit, "ETag": "\"\(sha)\"", "Accept-Ranges": "bytes"], body: entry.data, head: isHead)
    }

    private func serveDiscussions(repo: String, request r: Request, fd: Int32) {
        let (all, pageSize) = lock.withLock { (_discussions[repo], discussionsPageSize) }
        guard let all else { return send(fd, status: 404, headers: ["X-Error-Code": "RepoNotFound"], body: Data(), head: false) }
        let query = r.path.split(separator: "?").dropFirst().first.map(String.init) ?? ""
        let page = query.split(separator: "&").compactMap { $0.hasPrefix("p=") ? Int($0.dropFirst(2)) : nil }.first ?? 0
        let start = min(page * pageSize, all.count)
        let slice = all[start..<min(start + pageSize, all.count)]
        let items = slice.map { d -> [String: Any] in
            ["num": d.num, "title": d.title, "isPullRequest": d.isPullRequest, "status": d.status,
             "author": ["name": d.isPullRequest ? "SFconvertbot" : "someone"], "pinned": false]
        }
        let body = try! JSONSerialization.data(withJSONObject: ["discussions": items, "count": all.count, "start": start, "numClosedDiscussions": 0])
        send(fd, status: 200, headers: ["Content-Type": "application/json"], body: body, head: false)
    }

    private func serveBlob(sha: String, request r: Request, fd: Int32) {
        let (repos, served, cut) = lock.withLock { () -> ([String: Repo], Data?, Bool) in
            let c = _cut.remove(sha) != nil && r.method == "GET"
            return (_repos, _servedBytes[sha], c)
        }
        let original = repos.values.flatMap { $0.commits.values.flatMap(\.values) }.first { $0.lfs && $0.etag == sha }?.data
        guard let data = served ?? original else { return send(fd, status: 404, headers: [:], body: Data(), head: r.method == "HEAD") }
        var status = 200
        var body = data
        var headers = ["Accept-Ranges": "bytes", "ETag": "\"\(sha)\""]
        if let range = r.headers["range"], range.hasPrefix("bytes="), range.hasSuffix("-"),
           let from = Int(range.dropFirst(6).dropLast()) {
            guard from < data.count else { return send(fd, status: 416, headers: ["Content-Range": "bytes */\(data.count)"], body: Data(), head: false) }
            status = 206
            body = data.subdata(in: from..<data.count)
            headers["Content-Range"] = "bytes \(from)-\(data.count - 1)/\(data.count)"
        }
        send(fd, status: status, headers: headers, body: body, head: r.method == "HEAD", sendOnly: cut ? body.count / 2 : nil)
    }

    private func send(_ fd: Int32, status: Int, headers: [String: String], body: Data, head: Bool, sendOnly: Int? = nil) {
        let reasons = [200: "OK", 206: "Partial Content", 302: "Found", 401: "Unauthorized", 404: "Not Found", 416: "Range Not Satisfiable"]
        var text = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        text += "\r\n"
        var out = Data(text.utf8)
        if !head { out += body.prefix(sendOnly ?? body.count) }
        out.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
    }

    static func contentID(_ data: Data) -> String {
        var a: UInt64 = 0xcbf29ce484222325, b: UInt64 = 0x84222325cbf29ce4
        for byte in data {
            a = (a ^ UInt64(byte)) &* 0x100000001b3
            b = (b &+ UInt64(byte)) &* 0x9E3779B97F4A7C15
        }
        return String(format: "%016llx%016llx%08x", a, b, UInt32(truncatingIfNeeded: data.count))
    }

    static func sha256(_ data: Data) -> String {
        var h = SHA256()
        h.update(data)
        return h.finalize().hexString
    }
}

private extension Array where Element == UInt8 {
    var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 { return true }
        return false
    }
}
