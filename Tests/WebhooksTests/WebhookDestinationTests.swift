import Foundation
import Testing
import Webhooks

@Suite("Webhook destinations (SSRF)")
struct WebhookDestinationTests {
    @Test(
        "internal addresses are named by range; public ones pass",
        arguments: [
            ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"),
            ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local"),
            ("100.64.0.1", "carrier-grade NAT"), ("0.0.0.0", "this network"), ("224.0.0.1", "multicast"),
            ("255.255.255.255", "reserved"), ("::1", "loopback"), ("::", "unspecified"), ("fe80::1", "link-local"),
            ("fd00::1", "unique local"), ("ff02::1", "multicast"), ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:169.254.169.254", "link-local"), ("64:ff9b::a00:1", "private"), ("fec0::1", "site-local"),
            ("::10.0.0.1", "private"), ("2002:7f00:1::", "loopback"), ("2002:a9fe:a9fe::1", "link-local"),
            ("64:ff9b:1::1", "NAT64 local use"), ("100::1", "discard only"),
        ])
    func internalRanges(address: String, range: String) {
        #expect(WebhookDestination.internalRange(of: address) == range)
    }

    @Test(
        "public addresses have no internal range",
        arguments: ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
    func publicAddresses(address: String) {
        #expect(WebhookDestination.internalRange(of: address) == nil)
    }

    @Test("URLs: only absolute http(s) without credentials or fragments")
    func urls() throws {
        let ok = try WebhookDestination("https://hooks.example.com:8443/velocity?x=1")
        #expect(ok.host == "hooks.example.com" && ok.port == 8443 && ok.scheme == "https")
        #expect(try WebhookDestination("http://[2606:4700::1111]/x").host == "2606:4700::1111")
        for bad in [
            "ftp://example.com/x", "/relative", "https://user:pw@example.com/", "https://example.com/#x", "not a url", "",
        ] {
            let error = #expect(throws: WebhookError.self, "\(bad)") { try WebhookDestination(bad) }
            #expect(error?.code == .webhookURLInvalid)
        }
    }

    @Test("a name that resolves to loopback is refused unless internal destinations are allowed; addresses are pinned")
    func resolution() async throws {
        let destination = try WebhookDestination("http://localhost:9/hook")
        let error = await #expect(throws: WebhookError.self) { _ = try await destination.resolve(allowInternal: false) }
        #expect(error?.code == .webhookDestinationRefused)
        #expect(error?.message.contains("loopback") == true)
        let addresses = try await destination.resolve(allowInternal: true)
        #expect(addresses.contains("127.0.0.1") || addresses.contains("::1"))
        #expect(destination.resolveEntries(["127.0.0.1", "::1"]) == ["localhost:9:127.0.0.1,[::1]"])
        #expect(try WebhookDestination("http://[::1]:9/x").resolveEntries(["::1"]).isEmpty, "a literal is not pinned")
        let nowhere = await #expect(throws: WebhookError.self) {
            _ = try await WebhookDestination("https://no-such-host.invalid/x").resolve(allowInternal: false)
        }
        #expect(nowhere?.message.contains("does not resolve") == true)
    }

    @Test("retries back off exponentially with jitter, wait out Retry-After, and stop after a day")
    func retryPolicy() {
        let policy = WebhookRetryPolicy()
        #expect(policy.delay(afterAttempt: 1, unit: 0.5) == .seconds(1))
        #expect(policy.delay(afterAttempt: 4, unit: 0.5) == .seconds(8))
        #expect(policy.delay(afterAttempt: 4, unit: 0) == .seconds(6))
        #expect(policy.delay(afterAttempt: 30, unit: 0.5) == .seconds(3_600))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(30), unit: 0.5) == .seconds(30))
        // An absurd Retry-After is held to the give-up horizon, not trusted to overflow.
        let absurd = WebhookRetryPolicy.retryAfter("10000000000000000")
        #expect(absurd == .seconds(30 * 86_400))
        #expect(policy.delay(afterAttempt: 1, retryAfter: absurd, unit: 0.5) == .seconds(86_401))
        #expect(policy.allowsRetry(age: .seconds(86_200), delay: .seconds(300)) == false)
        #expect(policy.allowsRetry(age: .seconds(3_600), delay: .seconds(300)))
        #expect(WebhookRetryPolicy.retryAfter("120") == .seconds(120))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(WebhookRetryPolicy.retryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now: now) == .seconds(60))
        #expect(WebhookRetryPolicy.retryAfter("soon") == nil)
    }
}
