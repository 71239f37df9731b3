import ArgumentParser
import Foundation
import GPUBox
import VelocityTypes

/// `velocity mode media|llm|split [--box B] [--wait]`: asks a GPU box to switch mode through
/// the gateway (operator role), and with `--wait` follows the switch step by step.
/// `velocity mode --advice [--box B]`: which mode would serve each box's queued work best, and why.
/// `velocity mode --autopilot on|off [--box B] [--min-dwell S] [--min-gain S] [--confirm S]`: the
/// box follows its advice by itself, or stops (an explicit mode also stops it).
struct ModeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mode",
        abstract: "Switch a GPU box between media, llm and split mode.",
        discussion: """
            The box's agent stops leasing the old queues, drains running jobs (past its deadline they go back \
            to the queue unspent), stops the old backends, hydrates and starts the new ones, checks their \
            health and consumes the new queues. A failed switch rolls back and says why.
            """)

    @OptionGroup var gateway: GatewayClientOptions

    @Argument(help: "media, llm or split.")
    var mode: String?

    @Flag(help: "Show which mode would finish the queued work soonest and meet the interactive targets, and why; switch nothing.")
    var advice = false

    @Option(
        help: """
            on: the box switches by itself when its advice says so (after --min-dwell in a mode, for \
            --min-gain, once the advice held --confirm); off: only operators switch it. An explicit mode turns it off.
            """)
    var autopilot: String?

    @Option(help: "With --autopilot on: least seconds in a mode before an automatic switch (default 600, or as set).")
    var minDwell: Double?

    @Option(help: "With --autopilot on: least seconds an automatic switch must save, its cost included (default 120).")
    var minGain: Double?

    @Option(help: "With --autopilot on: seconds the advice must hold before an automatic switch (default 30).")
    var confirm: Double?

    @Option(help: "The box to switch (needed when several report to the gateway).")
    var box: String?

    @Flag(help: "Follow the switch until it ends; exit 1 if it rolled back or halted.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds.")
    var timeout: Double = 900

    func validate() throws {
        let tuning = minDwell != nil || minGain != nil || confirm != nil
        if let autopilot {
            guard autopilot == "on" || autopilot == "off" else { throw ValidationError("--autopilot must be on or off") }
            guard mode == nil, !wait, !advice else { throw ValidationError("--autopilot takes no mode, --wait or --advice") }
            guard autopilot == "on" || !tuning else {
                throw ValidationError("--min-dwell, --min-gain and --confirm go with --autopilot on")
            }
            for (option, value, range) in [
                ("--min-dwell", minDwell, AutopilotSetting.dwellRange), ("--min-gain", minGain, AutopilotSetting.gainRange),
                ("--confirm", confirm, AutopilotSetting.confirmRange),
            ] {
                if let value, !range.contains(value) {
                    throw ValidationError("\(option) must be from \(Int(range.lowerBound)) to \(Int(range.upperBound)) seconds")
                }
            }
            return
        }
        guard !tuning else { throw ValidationError("--min-dwell, --min-gain and --confirm go with --autopilot on") }
        if advice {
            guard mode == nil, !wait else { throw ValidationError("--advice takes no mode and no --wait") }
            return
        }
        guard let mode, BoxMode(rawValue: mode) != nil else {
            throw ValidationError("mode must be one of \(BoxMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    struct Accepted: Decodable {
        var id: String
        var box: String
        var mode: String
        var from: String?
        var agent_alive: Bool
        var autopilot_paused: Bool?
    }

    struct Boxes: Decodable {
        struct Box: Decodable {
            var box: String
            var mode: String?
            var switching: BoxStatus.SwitchProgress?
            var last_switch: BoxStatus.SwitchProgress?
            var last_switch_error: String?
        }
        var data: [Box]
    }

    func run() async throws {
        if advice { return try await showAdvice() }
        if let autopilot { return try await setAutopilot(on: autopilot == "on") }
        guard let mode else { return }
        try await gateway.run { client in
            var body: [String: String] = ["mode": mode]
            if let box { body["box"] = box }
            let json = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
            let response = try await client.send("POST", "/v1/ops/mode", json: json)
            let accepted = try GatewayClient.decode(Accepted.self, response)
            if gateway.json && !wait { Terminal.printJSON(response.body) }
            if !gateway.json {
                Terminal.note("switch \(accepted.id): \(accepted.box) \(accepted.from ?? "none") → \(accepted.mode)")
                if accepted.autopilot_paused == true {
                    Terminal.note("the box's autopilot is off until an operator turns it on (velocity mode --autopilot on)")
                }
                if !accepted.agent_alive {
                    Terminal.note("warning: the box's agent is not heartbeating; it switches when it is back")
                }
            }
            guard wait else { return }
            try await follow(client, accepted)
        }
    }

    /// Polls `/v1/gpus` and prints each finished step with its duration, from the step list the
    /// agent publishes (so a step shorter than the poll is printed too), then the outcome.
    private func follow(_ client: GatewayClient, _ accepted: Accepted) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var printed = 0
        while ContinuousClock.now < deadline {
            let boxes = try GatewayClient.decode(Boxes.self, try await client.get("/v1/gpus"))
            guard let box = boxes.data.first(where: { $0.box == accepted.box }) else {
                throw ValidationError("box \(accepted.box) is gone from /v1/gpus")
            }
            let progress = [box.switching, box.last_switch].compactMap { $0 }.first { $0.id == accepted.id }
            if let progress {
                for timing in progress.steps.dropFirst(printed) where !gateway.json {
                    Terminal.note("  " + Self.line(timing))
                }
                printed = max(printed, progress.steps.count)
            }
            // The switch ended: it is the box's last one (or, from an agent that publishes no
            // steps, the box no longer switches and is in the asked mode).
            let ended = progress?.outcome != nil || (box.switching == nil && progress == nil && box.mode == accepted.mode)
            if ended {
                let succeeded = progress.map { $0.outcome == "switched" } ?? true
                if gateway.json {
                    var line: [String: String] = ["box": box.box, "mode": box.mode ?? "", "error": box.last_switch_error ?? ""]
                    if let outcome = progress?.outcome { line["outcome"] = outcome }
                    print(String(decoding: try JSONEncoder().encode(line), as: UTF8.self))
                }
                if succeeded && box.mode == accepted.mode {
                    let total = progress?.durationMilliseconds.map { " in \(Self.seconds($0))" } ?? ""
                    if !gateway.json { Terminal.note("\(box.box) is in \(accepted.mode) mode\(total)") }
                    return
                }
                Terminal.error(box.last_switch_error ?? "\(box.box) is in \(box.mode ?? "no") mode")
                throw ExitCode.failure
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Terminal.error("the switch did not end within \(Int(timeout)) s")
        throw ExitCode.failure
    }

    struct AdviceList: Decodable {
        var data: [ModeAdvice]
    }

    /// Prints `GET /v1/ops/mode/advice`: per box the advised mode, each mode's figures, the reasons.
    private func showAdvice() async throws {
        try await gateway.run { client in
            let query = box.map { "?box=" + ($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0) } ?? ""
            let response = try await client.get("/v1/ops/mode/advice" + query)
            let list = try GatewayClient.decode(AdviceList.self, response)
            if gateway.json {
                Terminal.printJSON(response.body)
                return
            }
            if list.data.isEmpty { Terminal.note("no live GPU box reports to this gateway") }
            for advice in list.data {
                let verdict = advice.switchAdvised ? "switch to \(advice.recommended)" : "stay in \(advice.recommended)"
                print("\(advice.box ?? "?") (\(advice.current?.rawValue ?? "no mode")): \(verdict)")
                print("  mode    GPUs (media+llm)  done in    new render waits  new chat waits  targets  batch windows")
                for option in advice.options {
                    let gpus = "\(option.mediaGPUs)+\(option.llmGPUs)"
                    print(
                        "  " + option.mode.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                            + gpus.padding(toLength: 18, withPad: " ", startingAt: 0)
                            + Self.duration(option.finishSeconds).padding(toLength: 11, withPad: " ", startingAt: 0)
                            + Self.duration(option.renderWaitSeconds).padding(toLength: 18, withPad: " ", startingAt: 0)
                            + Self.duration(option.chatWaitSeconds).padding(toLength: 16, withPad: " ", startingAt: 0)
                            + (option.meetsTargets ? "met" : "missed").padding(toLength: 9, withPad: " ", startingAt: 0)
                            + (advice.llm.windows.isEmpty
                                ? "none open"
                                : option.windowsMissed == 0
                                    ? "all \(advice.llm.windows.count) met"
                                    : "\(option.windowsMissed) of \(advice.llm.windows.count) missed"))
                }
                for reason in advice.reasons { print("  - " + reason) }
            }
        }
    }

    struct Autopilot: Decodable {
        var box: String
        var enabled: Bool
        var min_dwell_seconds: Double
        var min_gain_seconds: Double
        var confirm_seconds: Double
    }

    /// `PUT /v1/ops/mode/autopilot`.
    private func setAutopilot(on: Bool) async throws {
        try await gateway.run { client in
            var body: [String: JSONValue] = ["enabled": .bool(on)]
            if let box { body["box"] = .string(box) }
            if let minDwell { body["min_dwell_seconds"] = .double(minDwell) }
            if let minGain { body["min_gain_seconds"] = .double(minGain) }
            if let confirm { body["confirm_seconds"] = .double(confirm) }
            let response = try await client.send("PUT", "/v1/ops/mode/autopilot", json: JSONValue.object(body).jsonText)
            let setting = try GatewayClient.decode(Autopilot.self, response)
            if gateway.json {
                Terminal.printJSON(response.body)
            } else if setting.enabled {
                Terminal.note(
                    "\(setting.box): autopilot on (dwell \(Self.duration(setting.min_dwell_seconds)), gain "
                        + "\(Self.duration(setting.min_gain_seconds)), confirm \(Self.duration(setting.confirm_seconds)))")
            } else {
                Terminal.note("\(setting.box): autopilot off; only operators switch its mode")
            }
        }
    }

    static func duration(_ seconds: Double?) -> String {
        seconds.map { String(format: "%.0f s", $0) } ?? "never"
    }

    /// `stop_leasing    0.01 s`, `rollback: start_backends  1.20 s  failed: …`.
    static func line(_ timing: SwitchStepTiming) -> String {
        let name = (timing.rollingBack ? "rollback: " : "") + timing.step.rawValue
        var text = name.padding(toLength: max(name.count, 26), withPad: " ", startingAt: 0) + seconds(timing.durationMilliseconds)
        if !timing.succeeded { text += "  failed: \(timing.message ?? "")" }
        return text
    }

    static func seconds(_ milliseconds: Int) -> String {
        String(format: "%.2f s", Double(milliseconds) / 1000)
    }
}
