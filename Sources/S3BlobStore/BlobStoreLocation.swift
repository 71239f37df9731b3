public import BlobStore
public import CurlClient
public import Foundation
public import S3

/// Where the blob store lives, as a setting names it: a directory (one machine, or a volume the
/// gateway and the GPU box share), or `s3://bucket[/prefix]` (machines that share only S3;
/// credentials and endpoint from the usual AWS environment or credentials file).
public enum BlobStoreLocation: Sendable, Equatable, CustomStringConvertible {
    case directory(String)
    case s3(bucket: String, prefix: String)

    /// Reads a setting; throws naming what is wrong with an `s3://` one.
    public init(_ text: String) throws {
        guard text.hasPrefix("s3://") else {
            guard !text.isEmpty else { throw BlobStoreError(.blobIO, "the blob store location is empty") }
            self = .directory(text)
            return
        }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        guard (3...63).contains(bucket.count),
            bucket.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || $0 == "." })
        else {
            throw BlobStoreError(.blobIO, "'\(text)': an S3 bucket name is 3 to 63 lowercase letters, digits, '-' or '.'")
        }
        var prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        if !prefix.isEmpty { try BlobKey.validate(String(prefix.dropLast())) }
        self = .s3(bucket: bucket, prefix: prefix)
    }

    public var description: String {
        switch self {
        case .directory(let path): path
        case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
        }
    }

    /// The store. An S3 one stages uploads under `stagingDirectory` and signs with
    /// `credentials` (resolved from the environment when nil).
    public func open(
        http: CurlHTTPClient, stagingDirectory: String, credentials: AWSCredentials? = nil
    ) throws -> any BlobStore {
        switch self {
        case .directory(let path):
            return try FileBlobStore(root: URL(fileURLWithPath: path))
        case .s3(let bucket, let prefix):
            let configuration = S3BlobStore.Configuration(
                bucket: bucket, prefix: prefix, credentials: try credentials ?? AWSCredentials.resolve(),
                stagingDirectory: URL(fileURLWithPath: stagingDirectory))
            return try S3BlobStore(configuration: configuration, http: http)
        }
    }
}
