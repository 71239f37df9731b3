import CCurl
import NIOPosix
import Synchronization

/// Fetches byte ranges of HTTP resources straight into an open file with `pwrite`, for
/// parallel ranged downloads of large files (model weights).
///
/// Unlike `CurlHTTPClient.download`, nothing passes through Swift arrays or async streams: the
/// libcurl write callback writes each chunk at its offset on the transfer's own thread, then
/// reports the byte count through `onWrite` (keep it short: it runs on that thread). Transfers
/// run on the fetcher's own `NIOThreadPool`, at most `maxConcurrentTransfers` at once; easy
/// handles are kept between transfers so connections are reused. Cancelling the calling task
/// aborts its transfer.
public final class CurlRangeFetcher: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeoutMilliseconds = 15_000
        /// A transfer slower than `lowSpeedBytesPerSecond` for `lowSpeedSeconds` is a stall and fails
        /// with `timeout`, instead of a total timeout that a big range would outlive.
        public var lowSpeedBytesPerSecond = 1_024
        public var lowSpeedSeconds = 30
        public var maxConcurrentTransfers = 8
        /// Model hubs answer downloads with redirects to their CDN.
        public var followRedirects = true
        public var userAgent = "velocity-hydrate/1.0"
        /// libcurl's receive buffer; larger means fewer callbacks per byte.
        public var receiveBufferBytes = 512 * 1024

        public init() {}
    }

    public let configuration: Configuration
    private let easy: CurlEasyPool

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        easy = CurlEasyPool(threads: configuration.maxConcurrentTransfers, closedMessage: "the range fetcher is shut down")
    }

    /// Aborts running transfers and stops the threads.
    public func shutdown() async throws {
        try await easy.shutdown()
    }

    /// GETs `range` (bytes `lowerBound..<upperBound` of the resource) and writes the body at the
    /// same offsets of `fileDescriptor`. `request`'s method and body are ignored; its headers are
    /// sent as given (sign them before: the `Range` header is added here and need not be signed).
    ///
    /// Only a `206` whose `Content-Range` starts at `range.lowerBound`, or a `200` when the range
    /// is the whole resource from 0, is written to the file; any other status comes back with its
    /// body (up to 64 KiB) for the error report. A body longer than the range is an error.
    /// `onWrite` gets each written chunk's size, on the transfer's thread.
    public func fetch(
        _ request: HTTPClientRequest, range: Range<Int64>, totalSize: Int64?, into fileDescriptor: Int32,
        onWrite: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> RangeFetchResult {
        let transfer = CurlRangeTransfer(
            request: request, range: range, totalSize: totalSize, fileDescriptor: fileDescriptor,
            configuration: configuration, onWrite: onWrite)
        return try await easy.run(transfer)
    }
}

/// How a range fetch ended when the server answered.
public struct RangeFetchResult: Sendable {
    public var status: Int
    public var headers: HTTPClientHeaders
    /// Bytes written to the file (0 unless the status was the expected 206/200).
    public var bytesWritten: Int64
    /// The body of a response that was not written (an error report), up to 64 KiB.
    public var errorBody: [UInt8]

    /// True when the range arrived whole.
    public var isComplete: Bool
    /// Why a 2xx answer was not usable (a `Content-Range` for other bytes, another total size,
    /// a `200` to a partial range, a body of the wrong length).
    public var problem: String?
    /// False when the problem will not go away by asking again (a server that ignores `Range`,
    /// a resource of another size than expected).
    public var isProblemRetriable: Bool

    public var text: String { String(decoding: errorBody, as: UTF8.self) }
}

