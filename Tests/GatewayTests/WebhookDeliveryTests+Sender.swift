import Broker
import CurlClient
import Foundation
import Gateway
import HummingbirdTesting
import Logging
import NIOCore
import TestSupport
import Testing

@testable import Webhooks

/// The sender's limits, with a sender of the test's own (short timeouts).
extension WebhookDeliveryTests {
    static func withSender(
        _ fixture: GatewayFixture, configure: (inout WebhookDeliveryService.Configuration) -> Void,
        _ body: () async throws -> Void
    ) async throws {
        try await CurlHTTPClient.withClient { http in
            var configuration = WebhookDeliveryService.Configuration()
            configuration.allowInternal = true
            configuration.pollInterval = .milliseconds(50)
            configure(&configuration)
            let sender = WebhookDeliveryService(
                store: fixture.gateway.webhooks, http: http, configuration: configuration, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await sender.run() }
                defer { group.cancelAll() }
                try await body()
            }
        }
    }

    @Test("a receiver that does not answer in time is tried again, under the same id")
    func timeout() async throws {
        try await GatewayFixture.withGateway(configure: {
            $0.webhooksEnabled = false
            $0.webhookAllowInternal = true
        }) {
            fixture, client in
            let receiver = WebhookReceiver(script: [.init(status: .ok, delay: .seconds(3))])
            try await receiver.run { url in
                let id = try #require(
                    try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task","webhook_url":"\#(url)"}"#).body.json["id"]
                        as? String)
                try await Self.finish(fixture, id: id)
                try await Self.withSender(fixture, configure: { $0.requestTimeout = .milliseconds(500) }) {
                    try await eventually("delivered on a later attempt") {
                        try await Self.deliveries(client, fixture.acme, id).first?["state"] as? String == "delivered"
                    }
                }
                let attempts = try #require(
                    try await Self.deliveries(client, fixture.acme, id).first?["attempts"] as? [[String: Any]])
                // The slow first answer times out; on a loaded machine a retry may time out too (its
                // answer is prompt, but the clock is short), so: every attempt before the last timed
                // out, and the last was answered 200.
                #expect(attempts.count >= 2)
                for attempt in attempts.dropLast() {
                    #expect(attempt["status"] is NSNull)
                    #expect((attempt["error"] as? String)?.lowercased().contains("time") == true, "\(attempt)")
                }
                #expect(attempts.last?["status"] as? Int == 200)
                #expect(Set(receiver.received.map { $0.headers["webhook-id"] ?? "" }).count == 1)
            }
        }
    }

    @Test("no more than perDestination requests are in flight to one host")
    func perDestinationCap() async throws {
        try await GatewayFixture.withGateway(configure: {
            $0.webhooksEnabled = false
            $0.webhookAllowInternal = true
        }) {
            fixture, client in
            let receiver = WebhookReceiver(otherwise: .init(status: .ok, delay: .milliseconds(400)))
            try await receiver.run { url in
                var ids: [String] = []
                for _ in 0..<6 {
                    let id = try #require(
                        try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task","webhook_url":"\#(url)"}"#).body.json[
                            "id"]
                            as? String)
                    try await Self.finish(fixture, id: id)
                    ids.append(id)
                }
                try await eventually("the outbox holds all six") {
                    let rows = try await fixture.gateway.postgres.withConnection {
                        try await $0.query("SELECT count(*) FROM webhook_deliveries")
                    }
                    return rows.first?[0] == "6"
                }
                try await Self.withSender(fixture, configure: { $0.perDestination = 2 }) {
                    try await eventually("all delivered") {
                        var delivered = 0
                        for id in ids
                        where try await Self.deliveries(client, fixture.acme, id).first?["state"] as? String == "delivered" {
                            delivered += 1
                        }
                        return delivered == 6
                    }
                }
                #expect(receiver.received.count == 6)
                #expect(receiver.mostInFlight == 2)
            }
        }
    }
}
