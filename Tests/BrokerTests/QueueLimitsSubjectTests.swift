import Broker
import Testing

/// What a cap or a rate may count, read scalar by scalar: a ':' that a combining mark or an
/// emoji modifier joins into one Character is still the separator.
@Suite("Queue limit subjects")
struct QueueLimitsSubjectTests {
    @Test(
        "accepted subjects",
        arguments: ["queue", "tenant:acme", "tenant:*", "kind:cpu.task", "key:lead:1", "kind:\u{1F3FB}", "tenant:\u{301}x"])
    func accepted(subject: String) {
        #expect(QueueLimits.isSubject(subject))
    }

    @Test(
        "refused subjects",
        arguments: [
            "", "queues", "tenants:acme", "kind:", "tenant:a:b", "tenant:a:\u{1F3FB}", "key:\u{7}",
            "kind:" + String(repeating: "k", count: 200),
        ])
    func refused(subject: String) {
        #expect(!QueueLimits.isSubject(subject))
    }

    @Test("a weight's tenant holds no ':', even one a modifier joins to the next scalar")
    func weightTenant() {
        #expect(throws: BrokerError.self) { try QueueLimits(weights: ["a:\u{1F3FB}": 1]).validate() }
        #expect(throws: Never.self) { try QueueLimits(weights: ["a\u{1F3FB}": 1]).validate() }
    }
}
