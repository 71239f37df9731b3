import Broker
import Gateway
import Testing

@Suite("Gateway configuration")
struct GatewayConfigurationTests {
    @Test("the environment overrides defaults; every documented key is read")
    func environment() throws {
        var configuration = GatewayConfiguration()
        try configuration.apply(environment: [
            "VELOCITY_GATEWAY_PORT": "9090", "VELOCITY_JWT_SECRET": "s3cret", "VELOCITY_RATE_LIMIT_PER_SECOND": "0",
            "VELOCITY_RECORD_SYNC": "false", "VELOCITY_MAX_UPLOAD_BYTES": "1000", "UNRELATED": "x",
        ])
        #expect(configuration.port == 9090)
        #expect(configuration.jwtSecret == "s3cret")
        #expect(configuration.rateLimitPerSecond == 0)
        #expect(configuration.recordSync == false)
        #expect(configuration.maxUploadBytes == 1000)
        #expect(configuration.dreamWeaverWorkflows == ["dream_weaver"])
        try configuration.apply(environment: ["VELOCITY_DREAM_WEAVER_WORKFLOWS": "dream_weaver, dream_weaver_twilight"])
        #expect(configuration.dreamWeaverWorkflows == ["dream_weaver", "dream_weaver_twilight"])
        var every = GatewayConfiguration()
        for key in GatewayConfiguration.keys {
            let booleans: Set<String> = ["record_sync", "webhooks", "webhook_allow_internal", "scheduler"]
            let value =
                booleans.contains(key.yaml)
                ? "true"
                : key.yaml.hasSuffix("url") || key.yaml == "host" || key.yaml.hasSuffix("directory")
                    ? "h"
                    : key.yaml == "dashboard_sample_ms"
                        ? "1000" : key.yaml == "queue_limits" ? #"{"cpu": {"caps": {"tenant:*": 2}}}"# : "7"
            try every.apply([key.yaml: value], source: "test")
        }
    }

    @Test(
        "bad settings are refused, naming the setting, and change nothing",
        arguments: [
            ("port", "eighty"), ("port", "-1"), ("rate_limit_per_second", "fast"), ("record_sync", "maybe"),
            ("webhook_allow_internal", "sometimes"), ("scheduler", "often"),
            ("redis_connections", "1.5"), ("no_such_setting", "1"), ("dashboard_sample_ms", "99"),
            ("queue_limits", "7"), ("queue_limits", "{cpu: {caps: {'tenants:acme': 1}}}"),
            ("queue_limits", "{cpu: {weights: {acme: 0}}}"), ("dream_weaver_workflows", ""),
            ("dream_weaver_workflows", "dream_weaver,Night Vision"), ("dream_weaver_workflows", ","),
        ])
    func refused(key: String, value: String) {
        var configuration = GatewayConfiguration()
        let before = configuration
        #expect {
            try configuration.apply([key: value], source: "gateway.yaml")
        } throws: { error in
            "\(error)".contains("gateway.yaml") && "\(error)".contains(key)
        }
        #expect(configuration == before)
        // A bad setting next to good ones: none of them is applied.
        #expect(throws: ConfigurationError.self) {
            try configuration.apply(["host": "0.0.0.0", key: value], source: "gateway.yaml")
        }
        #expect(configuration == before)
    }

    @Test("queue_limits reads a YAML mapping of queues to weights, caps and rates")
    func queueLimits() throws {
        var configuration = GatewayConfiguration()
        try configuration.apply(
            [
                "queue_limits": """
                cpu:
                  weights: {acme: 2}
                  caps: {"tenant:*": 2, "key:lead:*": 1}
                  rates: {"tenant:globex": {count: 10, interval_ms: 1000}}
                """
            ], source: "gateway.yaml")
        let cpu = try #require(configuration.queueLimits["cpu"])
        #expect(cpu.weights == ["acme": 2])
        #expect(cpu.caps == ["tenant:*": 2, "key:lead:*": 1])
        #expect(cpu.rates["tenant:globex"] == .init(count: 10, intervalMilliseconds: 1_000))
        #expect(cpu.cap(for: "tenant:acme") == 2)
        #expect(cpu.cap(for: "key:lead:42") == 1)
        #expect(cpu.cap(for: "kind:x") == nil)
    }
}
