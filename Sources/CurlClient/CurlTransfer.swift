import CCurl
import Synchronization

/// One request's run through a libcurl easy handle, on a thread of the client's pool.
///
/// Everything but `aborted` is touched only by the thread running `perform` (libcurl calls the
/// callbacks on it), hence `@unchecked Sendable`: the instance crosses threads once, whole.
final class CurlTransfer: CurlPoolTransfer, @unchecked Sendable {
    /// Where the response body goes.
    enum Sink {
        /// Collected into `HTTPClientResponse.body`.
        case memory
        /// Yielded chunk by chunk as it arrives.
        case stream(AsyncThrowingStream<[UInt8], any Error>.Continuation)
        /// Written to `path` when the status is 2xx (through `path.part`, renamed at the end);
        /// any other status's body is collected in memory for the error report.
        case file(path: String)
    }

    struct Limits {
        var connectTimeoutMilliseconds: Int
        var timeoutMilliseconds: Int
        var maxResponseBytes: Int
        var followRedirects: Bool
        var userAgent: String
    }

    let request: HTTPClientRequest
    let limits: Limits
    let sink: Sink
    let progressHandler: (@Sendable (TransferProgress) -> Void)?
    /// Called once, when the final response's body starts, or when the transfer ends without one.
    let headHandler: (@Sendable (HTTPClientResponseHead) -> Void)?
    private let aborted = Atomic<Bool>(false)

    var head = HTTPResponseHeadParser()
    var status: Int { head.status }
    var headers: HTTPClientHeaders { head.headers }
    var body: [UInt8] = []
    var received = 0
    var exceededLimit = false
    var headDelivered = false
    var fileDescriptor: Int32 = -1
    var fileError: CurlClientError?
    var lastProgress = TransferProgress()

    init(
        request: HTTPClientRequest, limits: Limits, sink: Sink,
        progress: (@Sendable (TransferProgress) -> Void)? = nil,
        head: (@Sendable (HTTPClientResponseHead) -> Void)? = nil
    ) {
        self.request = request
        self.limits = limits
        self.sink = sink
        self.progressHandler = progress
        self.headHandler = head
    }

    /// Makes the transfer stop at libcurl's next progress check (at least once a second, and
    /// whenever data moves). Safe from any thread.
    func abort() { aborted.store(true, ordering: .relaxed) }

    var isAborted: Bool { aborted.load(ordering: .relaxed) }

    /// Runs the transfer to its end on the calling thread, which blocks: never a Swift
    /// concurrency thread. `handle` is fresh or reset.
    func perform(handle: UnsafeMutableRawPointer) -> Result<HTTPClientResponse, CurlClientError> {
        if isAborted { return .failure(Self.cancelled) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        var resolveList: UnsafeMutablePointer<curl_slist>?
        var mime: OpaquePointer?
        defer {
            curl_slist_free_all(headerList)
            curl_slist_free_all(resolveList)
            if let mime { curl_mime_free(mime) }
            errorBuffer.deallocate()
            closeFile(keep: false)
        }
        let callbacks = CurlCallbackBox(self)
        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }

        set(velocity_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(velocity_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(velocity_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(velocity_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMilliseconds))
        set(velocity_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, limits.timeoutMilliseconds))
        set(velocity_curl_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxResponseBytes)))
        set(velocity_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, limits.followRedirects ? 1 : 0))
        set(velocity_curl_setopt_string(handle, CURLOPT_USERAGENT, limits.userAgent))
        set(callbacks.install(on: handle))

        var headers = request.headers
        // libcurl would otherwise wait up to a second for a `100 Continue` before large bodies.
        if !headers.contains("Expect") { headers.add("Expect", "") }
        var inMemoryBody: [UInt8]?
        switch request.body {
        case .none:
            switch request.method.uppercased() {
            case "GET": set(velocity_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
            case "HEAD": set(velocity_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
            case "POST", "PUT", "PATCH":
                // An empty body with `Content-Length: 0`, as servers expect of these methods.
                set(velocity_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0))
                set(velocity_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
            default: break
            }
        case .bytes(let bytes):
            if !headers.contains("Content-Type") { headers.add("Content-Type", "application/octet-stream") }
            inMemoryBody = bytes
            set(velocity_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
        case .multipart(let form):
            switch Self.makeMime(form, handle: handle) {
            case .success(let made):
                mime = made
                set(velocity_curl_setopt_mime(handle, CURLOPT_MIMEPOST, made))
            case .failure(let error):
                return .failure(error)
            }
        }
        let method = request.method.uppercased()
        // libcurl picks GET, HEAD or POST from the options above; any other verb is named.
        if !(method == "POST" || ((method == "GET" || method == "HEAD") && isBodyless)) {
            set(velocity_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        }
        for field in headers {
            // Bytes, not Characters: "\r\n" is one Character and would slip past a Character test.
            if field.name.isEmpty || field.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 })
                || field.value.utf8.contains(where: { $0 == 13 || $0 == 10 })
            {
                return .failure(CurlClientError(.invalidRequest, "header \(field.name) has a line break or colon in it"))
            }
            // `Name:` removes a header libcurl would add; `Name;` sends one with an empty value.
            let line: String
            if field.value.isEmpty {
                line = field.name.lowercased() == "expect" ? "Expect:" : "\(field.name);"
            } else {
                line = "\(field.name): \(field.value)"
            }
            headerList = curl_slist_append(headerList, line)
        }
        set(velocity_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        if !request.resolve.isEmpty {
            for entry in request.resolve { resolveList = curl_slist_append(resolveList, entry) }
            set(velocity_curl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList))
        }
        guard setup == CURLE_OK else {
            return .failure(CurlClientError(.invalidRequest, Self.text(setup), curlCode: Int(setup.rawValue)))
        }

        let code: CURLcode
        if let inMemoryBody {
            // POSTFIELDS points into the array; libcurl reads it only during perform.
            code = inMemoryBody.withUnsafeBufferPointer { buffer in
                var pointer = UnsafeMutableRawPointer(mutating: buffer.baseAddress)
                if pointer == nil { pointer = UnsafeMutableRawPointer(errorBuffer) }
                _ = velocity_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, pointer)
                return curl_easy_perform(handle)
            }
        } else {
            code = curl_easy_perform(handle)
        }
        withExtendedLifetime(callbacks) {}
        let detail = String(cString: errorBuffer)
        return finish(code: code, detail: detail)
    }

    var isBodyless: Bool {
        if case .none = request.body { return true }
        return false
    }
}
