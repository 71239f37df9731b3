import CCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One ranged GET through a libcurl easy handle, on a thread of `CurlRangeFetcher`'s pool.
///
/// Everything but `aborted` is touched only by the thread running `perform` (libcurl calls the
/// callbacks on it), hence `@unchecked Sendable`.
final class CurlRangeTransfer: CurlPoolTransfer, CurlCallbackTarget, @unchecked Sendable {
    static let maxErrorBody = 64 * 1024

    let request: HTTPClientRequest
    let range: Range<Int64>
    let totalSize: Int64?
    let fileDescriptor: Int32
    let configuration: CurlRangeFetcher.Configuration
    let onWrite: @Sendable (Int) -> Void
    private let aborted = Atomic<Bool>(false)

    var head = HTTPResponseHeadParser()
    var status: Int { head.status }
    var headers: HTTPClientHeaders { head.headers }
    var accepted: Bool?
    var problem: String?
    /// A head that can never be right (another total size, a server without ranges): no retry.
    var problemIsFinal = false
    var written: Int64 = 0
    var errorBody: [UInt8] = []
    var writeError: CurlClientError?

    init(
        request: HTTPClientRequest, range: Range<Int64>, totalSize: Int64?, fileDescriptor: Int32,
        configuration: CurlRangeFetcher.Configuration, onWrite: @escaping @Sendable (Int) -> Void
    ) {
        self.request = request
        self.range = range
        self.totalSize = totalSize
        self.fileDescriptor = fileDescriptor
        self.configuration = configuration
        self.onWrite = onWrite
    }

    func abort() { aborted.store(true, ordering: .relaxed) }
    var isAborted: Bool { aborted.load(ordering: .relaxed) }

    /// Runs the transfer on the calling (pool) thread, which blocks.
    func perform(handle: UnsafeMutableRawPointer) -> Result<RangeFetchResult, CurlClientError> {
        if isAborted { return .failure(CurlClientError(.cancelled, "the transfer was cancelled")) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            errorBuffer.deallocate()
        }
        let callbacks = CurlCallbackBox(self)
        var setup = CURLE_OK
        var failedOption = 0
        func set(_ code: CURLcode, _ line: Int = #line) {
            if setup == CURLE_OK && code != CURLE_OK {
                setup = code
                failedOption = line
            }
        }
        set(velocity_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(velocity_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(velocity_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        set(velocity_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(velocity_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeoutMilliseconds))
        set(velocity_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, configuration.lowSpeedBytesPerSecond))
        set(velocity_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, configuration.lowSpeedSeconds))
        set(velocity_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, configuration.followRedirects ? 1 : 0))
        // A tuning hint only: libcurl 7.88 refuses it on a handle reset after a failed resolve, so
        // its result is ignored rather than failing the transfer.
        _ = velocity_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, configuration.receiveBufferBytes)
        set(velocity_curl_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent))
        // Only an explicit byte range; never let libcurl decompress (the bytes are hashed as sent).
        set(velocity_curl_setopt_string(handle, CURLOPT_RANGE, "\(range.lowerBound)-\(range.upperBound - 1)"))
        set(callbacks.install(on: handle))
        for field in request.headers {
            if field.name.isEmpty || field.name.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 58 })
                || field.value.utf8.contains(where: { $0 == 13 || $0 == 10 })
            {
                return .failure(CurlClientError(.invalidRequest, "header \(field.name) has a line break or colon in it"))
            }
            headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        set(velocity_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        guard setup == CURLE_OK else {
            return .failure(
                CurlClientError(
                    .invalidRequest, "\(CurlTransfer.text(setup)) (setting up, CurlRangeTransfer.swift:\(failedOption))",
                    curlCode: Int(setup.rawValue)))
        }
        let code = withExtendedLifetime(callbacks) { curl_easy_perform(handle) }
        if let writeError { return .failure(writeError) }
        let expected = range.upperBound - range.lowerBound
        if code != CURLE_OK {
            // A body cut short by our own refusal (a wrong Content-Range) is a problem report, not a failure.
            if code == CURLE_WRITE_ERROR, let problem {
                return .success(result(isComplete: false, problem: problem))
            }
            if isAborted { return .failure(CurlClientError(.cancelled, "the transfer was cancelled")) }
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? CurlTransfer.text(code) : "\(CurlTransfer.text(code)): \(detail)"
            var error = CurlClientError(CurlTransfer.code(for: code), message, curlCode: Int(code.rawValue))
            error.message += " (after \(written) of \(expected) bytes)"
            return .failure(error)
        }
        if accepted == nil { evaluateHead() }
        if accepted == true && written != expected && problem == nil {
            problem = "the server sent \(written) bytes for a range of \(expected)"
        }
        return .success(result(isComplete: accepted == true && written == expected && problem == nil, problem: problem))
    }

    private func result(isComplete: Bool, problem: String?) -> RangeFetchResult {
        RangeFetchResult(
            status: status, headers: headers, bytesWritten: written, errorBody: errorBody, isComplete: isComplete,
            problem: problem, isProblemRetriable: !problemIsFinal)
    }

    /// Decides once, at the first body byte, whether this answer's body belongs in the file.
    func evaluateHead() {
        guard accepted == nil else { return }
        switch status {
        case 206:
            guard let value = headers["Content-Range"], let parsed = Self.parseContentRange(value) else {
                accepted = false
                problem = "a 206 without a usable Content-Range"
                return
            }
            if parsed.first != range.lowerBound || parsed.last != range.upperBound - 1 {
                accepted = false
                problemIsFinal = true
                problem = "asked for bytes \(range.lowerBound)-\(range.upperBound - 1), got \(value)"
            } else if let totalSize, let total = parsed.total, total != totalSize {
                accepted = false
                problemIsFinal = true
                problem = "the source is \(total) bytes, the manifest says \(totalSize)"
            } else {
                accepted = true
            }
        case 200:
            // A server without range support sends the whole resource: usable only for a whole-file range.
            if range.lowerBound == 0, let totalSize, range.upperBound == totalSize {
                accepted = true
            } else {
                accepted = false
                problemIsFinal = true
                problem = "the server ignored the Range header (200 instead of 206)"
            }
        default:
            accepted = false
        }
    }

    /// `bytes 0-9/100` → (0, 9, 100); `bytes 0-9/*` → (0, 9, nil).
    static func parseContentRange(_ value: String) -> (first: Int64, last: Int64, total: Int64?)? {
        let trimmed = value.split(separator: " ", maxSplits: 1)
        guard trimmed.count == 2, trimmed[0].lowercased() == "bytes" else { return nil }
        let spanAndTotal = trimmed[1].split(separator: "/", maxSplits: 1)
        guard spanAndTotal.count == 2 else { return nil }
        let bounds = spanAndTotal[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]), first <= last else {
            return nil
        }
        let total = spanAndTotal[1] == "*" ? nil : Int64(spanAndTotal[1])
        return (first, last, total)
    }

    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        head.receive(raw)
    }

    func reportProgress(_ progress: TransferProgress) -> Bool { !isAborted }

    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        if isAborted { return 0 }
        evaluateHead()
        guard accepted == true else {
            if problem != nil && (200..<300).contains(status) { return 0 }
            let room = max(0, Self.maxErrorBody - errorBody.count)
            errorBody.append(contentsOf: chunk.prefix(room))
            return chunk.count
        }
        let expected = range.upperBound - range.lowerBound
        guard written + Int64(chunk.count) <= expected else {
            problem = "the server sent more than the \(expected) bytes asked for"
            return 0
        }
        var offset = 0
        while offset < chunk.count {
            let done = pwrite(
                fileDescriptor, chunk.baseAddress! + offset, chunk.count - offset,
                off_t(range.lowerBound + written + Int64(offset)))
            if done < 0 {
                if errno == EINTR { continue }
                writeError = CurlClientError(.fileError, "cannot write the download: \(String(cString: strerror(errno)))")
                return 0
            }
            offset += done
        }
        written += Int64(chunk.count)
        onWrite(chunk.count)
        return chunk.count
    }
}
