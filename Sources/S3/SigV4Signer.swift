import Crypto
public import Foundation
import VelocityTypes

/// AWS Signature Version 4 for S3 requests (header form), with swift-crypto's HMAC-SHA256.
///
/// Pure: the time is a parameter, so the signer is checked against AWS's published examples.
public struct SigV4Signer: Sendable {
    /// The payload hash S3 accepts for a body that is not hashed (every GET here).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty string.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: AWSCredentials
    public var service: String

    public init(credentials: AWSCredentials, service: String = "s3") {
        self.credentials = credentials
        self.service = service
    }

    /// What a signature is made of, kept for tests and debugging (it holds no secret).
    public struct Signed: Sendable {
        /// Headers to send: the ones given plus `x-amz-date`, `x-amz-content-sha256`,
        /// `x-amz-security-token` (with a session token) and `Authorization`.
        public var headers: [(name: String, value: String)]
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
    }

    /// Signs a request. `path` is the URI path as it will be sent (already percent-encoded
    /// per S3's rules, see `encodePath`); `query` the raw query pairs; `headers` must include
    /// `host`. Every given header is signed.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
        payloadHash: String = unsignedPayload, date: Date
    ) -> Signed {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var all: [(String, String)] = headers.map { ($0.0.lowercased(), Self.trimHeaderValue($0.1)) }
        all.append(("x-amz-content-sha256", payloadHash))
        all.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { all.append(("x-amz-security-token", token)) }
        // Same-named headers join with commas, names sorted.
        var merged: [String: [String]] = [:]
        for (name, value) in all { merged[name, default: []].append(value) }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalQuery = Self.canonicalQuery(query)
        let canonicalRequest = [
            method.uppercased(), path.isEmpty ? "/" : path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(credentials.region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Hex.lowercase(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature = Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        var out = headers.map { (name: $0.0, value: $0.1) }
        out.append((name: "x-amz-content-sha256", value: payloadHash))
        out.append((name: "x-amz-date", value: amzDate))
        if let token = credentials.sessionToken { out.append((name: "x-amz-security-token", value: token)) }
        out.append((name: "Authorization", value: authorization))
        return Signed(
            headers: out, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            authorization: authorization)
    }

    /// A presigned URL (SigV4 in the query string): anyone holding it may `method` the object
    /// until `expires` after `date`, without credentials. Only `host` is signed, and the
    /// payload is `UNSIGNED-PAYLOAD`, as S3's presigned GETs are.
    public func presignedURL(
        method: String = "GET", url: String, path: String, host: String, expires: Duration, date: Date
    ) -> String {
        let amzDate = Self.timestamp(date)
        let scope = "\(amzDate.prefix(8))/\(credentials.region)/\(service)/aws4_request"
        var query: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(max(1, min(604_800, Int(expires.components.seconds))))),
            ("X-Amz-SignedHeaders", "host"),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let canonicalQuery = Self.canonicalQuery(query)
        let canonicalRequest = [
            method.uppercased(), path.isEmpty ? "/" : path, canonicalQuery, "host:\(host)\n", "host", Self.unsignedPayload,
        ].joined(separator: "\n")
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Hex.lowercase(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let key = signingKey(day: String(amzDate.prefix(8)))
        let signature = Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return url + "?" + canonicalQuery + "&X-Amz-Signature=" + signature
    }

    /// Pairs encoded, sorted by name then value, joined: SigV4's canonical query string.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        var encoded: [(String, String)] = []
        for (name, value) in query {
            encoded.append((encode(name, keepSlash: false), encode(value, keepSlash: false)))
        }
        encoded.sort { (a: (String, String), b: (String, String)) -> Bool in
            a.0 == b.0 ? a.1 < b.1 : a.0 < b.0
        }
        return encoded.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// The day's signing key: the secret, HMAC-chained through the date, region, service.
    func signingKey(day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, credentials.region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// A path-style object URL and its encoded path: `<endpoint>/<bucket>/<key>`.
    public func objectLocation(bucket: String, key: String) -> (url: String, path: String, host: String) {
        let path = "/" + Self.encode(bucket, keepSlash: false) + "/" + Self.encode(key, keepSlash: true)
        let endpoint = credentials.endpointURL
        let afterScheme = endpoint.range(of: "://").map { endpoint[$0.upperBound...] } ?? endpoint[...]
        let host = String(afterScheme.split(separator: "/", maxSplits: 1).first ?? "")
        return (endpoint + path, path, host)
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 1970)\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is
    /// `%XX` (uppercase); `/` stays in object keys.
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                let hex = Array("0123456789ABCDEF")
                out.append("%")
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    static func trimHeaderValue(_ value: String) -> String {
        // Leading/trailing spaces go; inner runs of spaces become one.
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
