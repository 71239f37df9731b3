import ArgumentParser
import BlobStore
import CurlClient
import S3BlobStore

/// `--blob-store` and `--blob-directory`, the same for every command that reads or writes blobs.
struct BlobStoreOptions: ParsableArguments {
    @Option(
        help:
            "The blob store: s3://bucket[/prefix] (credentials from AWS_* or ~/.aws), else a directory (default: $VELOCITY_BLOB_STORE)."
    )
    var blobStore: String?

    @Option(help: "Directory of the blob store, or S3 uploads' staging area (default: $VELOCITY_BLOB_DIRECTORY or .run/blobs).")
    var blobDirectory: String?

    /// Flags first, then `VELOCITY_BLOB_STORE`, then the directory.
    func location(environment: [String: String]) throws -> (location: BlobStoreLocation, directory: String) {
        let directory = blobDirectory ?? environment["VELOCITY_BLOB_DIRECTORY"] ?? ".run/blobs"
        let store = blobStore ?? environment["VELOCITY_BLOB_STORE"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            return (try BlobStoreLocation(store ?? directory), directory)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The store; an S3 one stages its uploads under the directory.
    func open(environment: [String: String], http: CurlHTTPClient) throws -> any BlobStore {
        let (location, directory) = try location(environment: environment)
        return try location.open(http: http, stagingDirectory: directory + "/.s3-staging")
    }
}
