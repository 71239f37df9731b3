import Foundation
import RedisClient

extension BoxStateStore {
    /// The box's autopilot setting; nil when none was ever set (off).
    public func autopilot(box: String) async throws -> AutopilotSetting? {
        guard let json = try await redis.send(RedisCommand("GET", [autopilotKey(box)])).string else { return nil }
        return try JSONDecoder().decode(AutopilotSetting.self, from: Data(json.utf8))
    }

    /// Sets the box's autopilot (an operator turning it on or off, or changing its hysteresis).
    public func setAutopilot(_ setting: AutopilotSetting, box: String) async throws {
        let json = String(decoding: try JSONEncoder().encode(setting), as: UTF8.self)
        _ = try await redis.send(RedisCommand("SET", [autopilotKey(box), json]))
    }

    /// The autopilot's own request: recorded only while the autopilot is on and the request the
    /// agent last took up (`handledID`) is still the latest, in one script — so an operator's
    /// request, or an operator turning the autopilot off, always wins a race with it. Returns
    /// whether it was recorded.
    public func requestAutomatically(_ request: ModeRequest, handledID: String?) async throws -> Bool {
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let reply = try await redis.evaluate(
            Self.autopilotRequestScript, keys: [desiredKey(request.box), autopilotKey(request.box)],
            arguments: [json, handledID ?? ""])
        return reply.int == 1
    }

    /// KEYS: desired, autopilot. ARGV: the request, the id of the request the agent handled
    /// last ("" for none: it runs its initial mode).
    static let autopilotRequestScript = RedisScript(
        name: "box_autopilot_request",
        source: """
            local setting = redis.call('GET', KEYS[2])
            if not setting or cjson.decode(setting).enabled ~= true then return 0 end
            local desired = redis.call('GET', KEYS[1])
            local latest = ''
            if desired then latest = cjson.decode(desired).id end
            if latest ~= ARGV[2] then return 0 end
            redis.call('SET', KEYS[1], ARGV[1])
            return 1
            """)

    /// KEYS: desired, autopilot. ARGV: the request, who asked, when (ms), the note the paused
    /// autopilot keeps. Returns 1 when it turned an autopilot off.
    static let operatorRequestScript = RedisScript(
        name: "box_operator_request",
        source: """
            redis.call('SET', KEYS[1], ARGV[1])
            local raw = redis.call('GET', KEYS[2])
            if not raw then return 0 end
            local setting = cjson.decode(raw)
            if setting.enabled ~= true then return 0 end
            setting.enabled = false
            setting.changed_by = ARGV[2]
            setting.changed_at_ms = tonumber(ARGV[3])
            setting.note = ARGV[4]
            redis.call('SET', KEYS[2], cjson.encode(setting))
            return 1
            """)
}
