public import Foundation

/// S3 credentials and where to send requests.
///
/// `description` never shows the secret key or the session token, so a credentials value can
/// be logged or interpolated into an error safely.
public struct AWSCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var region: String
    /// `http(s)://host[:port]` of an S3-compatible endpoint; nil means AWS's regional endpoint.
    public var endpoint: String?

    public init(
        accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String = "us-east-1",
        endpoint: String? = nil
    ) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.endpoint = endpoint
    }

    /// `https://s3.<region>.amazonaws.com` unless an endpoint is set; no trailing slash.
    public var endpointURL: String {
        var url = endpoint ?? "https://s3.\(region).amazonaws.com"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"), region: \(region), endpoint: \(endpointURL))"
    }

    public var debugDescription: String { description }

    /// From `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` (or
    /// `AWS_DEFAULT_REGION`) and `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`; when the keys are not in
    /// the environment, from the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
    /// `~/.aws/credentials`), profile `AWS_PROFILE` or `default`.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment, credentialsFile: String? = nil
    ) throws -> AWSCredentials {
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpoint = nonEmpty(environment["AWS_ENDPOINT_URL_S3"]) ?? nonEmpty(environment["AWS_ENDPOINT_URL"])
        if let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"]) {
            guard let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]) else {
                throw S3Error(.s3Credentials, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
            }
            return AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]),
                region: region, endpoint: endpoint)
        }
        let path =
            credentialsFile ?? nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"])
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.aws/credentials"
        let profile = nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw S3Error(
                .s3Credentials,
                "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them to \(path) (profile \(profile))")
        }
        let sections = parseINI(String(decoding: data, as: UTF8.self))
        guard let section = sections[profile] else {
            throw S3Error(.s3Credentials, "\(path) has no [\(profile)] profile")
        }
        guard let key = nonEmpty(section["aws_access_key_id"]), let secret = nonEmpty(section["aws_secret_access_key"])
        else {
            throw S3Error(
                .s3Credentials, "\(path) [\(profile)] lacks aws_access_key_id or aws_secret_access_key")
        }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty(section["aws_session_token"]),
            region: nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(section["region"]) ?? region,
            endpoint: endpoint ?? nonEmpty(section["endpoint_url"]))
    }

    /// `[profile]` sections of `key = value` lines; `#` and `;` start comments.
    static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)) }
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current]?[key] = value
        }
        return sections
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
