import VelocityTypes
import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CurlTransfer: CurlCallbackTarget {
    static let cancelled = CurlClientError(.cancelled, "the transfer was cancelled")

    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        head.receive(raw)
    }

    /// A piece of the final response's body; returning less than its size stops the transfer.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        if isAborted { return 0 }
        deliverHeadOnce()
        received += chunk.count
        if received > limits.maxResponseBytes {
            exceededLimit = true
            return 0
        }
        switch sink {
        case .memory:
            body.append(contentsOf: chunk)
        case .stream(let continuation):
            if case .terminated = continuation.yield(Array(chunk)) {
                // The consumer went away: nobody wants the rest.
                abort()
                return 0
            }
        case .file(let path):
            guard (200..<300).contains(status) else {
                body.append(contentsOf: chunk)
                return chunk.count
            }
            if fileDescriptor < 0 {
                fileDescriptor = open(path + ".part", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                if fileDescriptor < 0 {
                    fileError = Self.fileError("cannot create \(path).part")
                    return 0
                }
            }
            var offset = 0
            while offset < chunk.count {
                let written = write(fileDescriptor, chunk.baseAddress! + offset, chunk.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    fileError = Self.fileError("cannot write \(path).part")
                    return 0
                }
                offset += written
            }
        }
        return chunk.count
    }

    /// Passes progress on when it changed; false when the transfer must stop.
    func reportProgress(_ progress: TransferProgress) -> Bool {
        if isAborted { return false }
        if progress != lastProgress {
            lastProgress = progress
            progressHandler?(progress)
        }
        return true
    }

    func deliverHeadOnce() {
        guard !headDelivered else { return }
        headDelivered = true
        headHandler?(HTTPClientResponseHead(status: status, headers: headers))
    }

    /// The outcome once `curl_easy_perform` returned.
    func finish(code: CURLcode, detail: String) -> Result<HTTPClientResponse, CurlClientError> {
        if code == CURLE_OK {
            if case .file(let path) = sink, (200..<300).contains(status) {
                if fileDescriptor < 0 {
                    // An empty 2xx body still makes an (empty) file.
                    fileDescriptor = open(path + ".part", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                    if fileDescriptor < 0 { return .failure(Self.fileError("cannot create \(path).part")) }
                }
                closeFile(keep: true)
                if rename(path + ".part", path) != 0 { return .failure(Self.fileError("cannot rename to \(path)")) }
            }
            deliverHeadOnce()
            return .success(HTTPClientResponse(status: status, headers: headers, body: body))
        }
        if let fileError { return .failure(fileError) }
        if exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(
                CurlClientError(
                    .responseTooLarge, "the response is larger than \(limits.maxResponseBytes) bytes",
                    curlCode: Int(code.rawValue)))
        }
        if isAborted { return .failure(CurlClientError(.cancelled, Self.cancelled.message, curlCode: Int(code.rawValue))) }
        let message = detail.isEmpty ? Self.text(code) : "\(Self.text(code)): \(detail)"
        return .failure(CurlClientError(Self.code(for: code), message, curlCode: Int(code.rawValue)))
    }

    /// Closes the download file; without `keep`, removes what was written.
    func closeFile(keep: Bool) {
        guard fileDescriptor >= 0, case .file(let path) = sink else { return }
        close(fileDescriptor)
        fileDescriptor = -1
        if !keep { unlink(path + ".part") }
    }

    static func text(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }

    static func fileError(_ message: String) -> CurlClientError {
        let reason = String(cString: strerror(errno))
        return CurlClientError(.fileError, "\(message): \(reason)")
    }

    static func code(for code: CURLcode) -> VelocityErrorCode {
        switch code {
        case CURLE_COULDNT_CONNECT: return .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .hostNotFound
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_USE_SSL_FAILED,
            CURLE_SSL_CLIENTCERT:
            return .tls
        case CURLE_FILESIZE_EXCEEDED: return .responseTooLarge
        case CURLE_ABORTED_BY_CALLBACK: return .cancelled
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_NOT_BUILT_IN:
            return .invalidRequest
        case CURLE_READ_ERROR, CURLE_FILE_COULDNT_READ_FILE, CURLE_WRITE_ERROR: return .fileError
        case CURLE_OUT_OF_MEMORY, CURLE_FAILED_INIT: return .internalError
        default: return .network
        }
    }

    /// The multipart body, file parts checked readable now so a missing file is a clear error.
    static func makeMime(_ form: MultipartForm, handle: UnsafeMutableRawPointer) -> Result<OpaquePointer, CurlClientError> {
        guard let mime = curl_mime_init(handle) else {
            return .failure(CurlClientError(.internalError, "curl_mime_init failed"))
        }
        for part in form.parts {
            guard let mimePart = curl_mime_addpart(mime) else {
                curl_mime_free(mime)
                return .failure(CurlClientError(.internalError, "curl_mime_addpart failed"))
            }
            var code = curl_mime_name(mimePart, part.name)
            switch part.content {
            case .text(let text):
                let bytes = Array(text.utf8)
                code = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { curl_mime_data(mimePart, $0.baseAddress, $0.count) }
                }
            case .bytes(let bytes):
                // libcurl copies the data.
                code = bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { curl_mime_data(mimePart, $0.baseAddress, $0.count) }
                }
            case .file(let path):
                var info = stat()
                guard stat(path, &info) == 0, access(path, R_OK) == 0 else {
                    curl_mime_free(mime)
                    return .failure(fileError("cannot read \(path)"))
                }
                guard (info.st_mode & S_IFMT) == S_IFREG else {
                    curl_mime_free(mime)
                    return .failure(CurlClientError(.fileError, "\(path) is not a regular file"))
                }
                code = curl_mime_filedata(mimePart, path)
            }
            if code == CURLE_OK, let filename = part.filename { code = curl_mime_filename(mimePart, filename) }
            if code == CURLE_OK, let type = part.contentType { code = curl_mime_type(mimePart, type) }
            guard code == CURLE_OK else {
                curl_mime_free(mime)
                return .failure(
                    CurlClientError(
                        .invalidRequest, "multipart part \(part.name): \(text(code))", curlCode: Int(code.rawValue)))
            }
        }
        return .success(mime)
    }
}
