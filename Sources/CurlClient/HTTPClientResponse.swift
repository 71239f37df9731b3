/// A complete HTTP response. Any status, 4xx and 5xx included, arrives this way.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPClientHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPClientHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body read as UTF-8, invalid sequences replaced.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Status and headers of a response whose body is still arriving.
public struct HTTPClientResponseHead: Sendable {
    public var status: Int
    public var headers: HTTPClientHeaders

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// How far a transfer has got, in bytes; totals are 0 while unknown.
public struct TransferProgress: Sendable, Equatable {
    public var downloaded: Int64
    public var downloadTotal: Int64
    public var uploaded: Int64
    public var uploadTotal: Int64

    public init(downloaded: Int64 = 0, downloadTotal: Int64 = 0, uploaded: Int64 = 0, uploadTotal: Int64 = 0) {
        self.downloaded = downloaded
        self.downloadTotal = downloadTotal
        self.uploaded = uploaded
        self.uploadTotal = uploadTotal
    }

    /// Fraction of the download done, when its size is known.
    public var downloadFraction: Double? {
        downloadTotal > 0 ? min(1, Double(downloaded) / Double(downloadTotal)) : nil
    }

    /// Fraction of the upload done, when its size is known.
    public var uploadFraction: Double? {
        uploadTotal > 0 ? min(1, Double(uploaded) / Double(uploadTotal)) : nil
    }
}
