import Foundation
import Testing
@testable import Hydration
@testable import S3

@Suite("SigV4 signer and S3 credentials")
struct SigV4SignerTests {
    static let example = AWSCredentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1")

    @Test("AWS's published presigned URL example (examplebucket/test.txt, 86400 s) gives its documented signature")
    func awsPresignedExample() throws {
        // "Authenticating Requests: Using Query Parameters" in Amazon S3's SigV4 documentation.
        let date = try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let url = SigV4Signer(credentials: Self.example).presignedURL(
            url: "https://examplebucket.s3.amazonaws.com/test.txt", path: "/test.txt",
            host: "examplebucket.s3.amazonaws.com", expires: .seconds(86_400), date: date)
        #expect(
            url == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test("AWS's published GET Object example (Range bytes=0-9) gives its documented signature")
    func awsGetObjectExample() throws {
        // "Example: GET Object" in Amazon S3's "Authenticating Requests: Using the Authorization Header".
        let date = try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let signed = SigV4Signer(credentials: Self.example).sign(
            method: "GET", path: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            signed.canonicalRequest == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signed.stringToSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        #expect(signed.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("object URLs are path-style with S3's key encoding; a session token is signed")
    func locationAndToken() {
        var credentials = Self.example
        credentials.endpoint = "http://127.0.0.1:9000/"
        credentials.sessionToken = "token-value"
        let signer = SigV4Signer(credentials: credentials)
        let location = signer.objectLocation(bucket: "models", key: "sdxl/base model+v1.safetensors")
        #expect(location.url == "http://127.0.0.1:9000/models/sdxl/base%20model%2Bv1.safetensors")
        #expect(location.host == "127.0.0.1:9000")
        let signed = signer.sign(method: "GET", path: location.path, headers: [("host", location.host)], date: Date())
        #expect(signed.canonicalRequest.contains("x-amz-security-token:token-value\n"))
        #expect(signed.authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(signed.canonicalRequest.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test("credentials come from the environment, else the shared credentials file; never printed")
    func credentialsResolution() throws {
        let fromEnvironment = try AWSCredentials.resolve(environment: [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "very-secret", "AWS_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000",
        ])
        #expect(fromEnvironment.region == "eu-west-1")
        #expect(fromEnvironment.endpointURL == "http://127.0.0.1:5000")
        #expect(!"\(fromEnvironment)".contains("very-secret"))
        #expect(!String(reflecting: fromEnvironment).contains("very-secret"))

        let file = FileManager.default.temporaryDirectory.path + "/velocity-aws-" + UUID().uuidString
        try """
            [default]
            aws_access_key_id = AKDEFAULT
            aws_secret_access_key = default-secret
            [profile models]
            aws_access_key_id = AKMODELS
            aws_secret_access_key = models-secret
            aws_session_token = models-token
            region = ap-south-1
            """.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try AWSCredentials.resolve(environment: ["AWS_PROFILE": "models", "HOME": "/nonexistent"], credentialsFile: file)
        #expect(fromFile.accessKeyID == "AKMODELS" && fromFile.secretAccessKey == "models-secret")
        #expect(fromFile.sessionToken == "models-token" && fromFile.region == "ap-south-1")

        let none = #expect(throws: S3Error.self) {
            try AWSCredentials.resolve(environment: ["HOME": "/nonexistent"])
        }
        #expect(none?.code == .s3Credentials)
        let half = #expect(throws: S3Error.self) {
            try AWSCredentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKID"])
        }
        #expect(half?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
    }

    @Test("safetensors headers: valid, bad length, not JSON")
    func safetensorsHeader() throws {
        let good = HydrationFixture.safetensors(payload: 16)
        func check(_ bytes: [UInt8]) throws -> Int {
            try SafetensorsHeader.check(fileSize: Int64(bytes.count)) { offset, count in
                Array(bytes[Int(offset)..<min(bytes.count, Int(offset) + count)])
            }
        }
        #expect(try check(good) == 1)
        var tooLong = good
        tooLong[7] = 0x7F
        #expect(throws: HydrationError.self) { try check(tooLong) }
        var notJSON = good
        notJSON[9] = UInt8(ascii: "#")
        #expect(throws: HydrationError.self) { try check(notJSON) }
        #expect(throws: HydrationError.self) { try check([1, 0, 0]) }
    }
}
