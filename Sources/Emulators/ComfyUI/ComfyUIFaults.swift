/// Failures the emulator produces on demand, set at start (configuration, `--fail-mode`) or
/// at runtime through the test-only route `POST /emulator/faults` (outside ComfyUI's
/// namespace; `GET` reads them plus `hung_prompt_id`, the render hung now; `DELETE` clears
/// them and releases a hang).
///
/// JSON form (every key optional; a POST replaces the whole plan):
/// `{"mode": "none|crash|hang|fail", "after_prompts": 0, "count": 1, "at_step": 1,
///   "failure": "oom|runtime", "poison": null, "websocket_stall": false, "memory_growth_bytes_per_prompt": 0}`.
public struct ComfyUIFaults: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable {
        case none
        /// The process dies mid-render (in-process: the server stops answering and closes).
        case crash
        /// The render stops making progress, and `/history/{id}` for that prompt stops answering.
        case hang
        /// The sampler raises: an `execution_error` with a realistic exception.
        case fail
    }

    /// The exception a `fail` raises.
    public enum Failure: String, Sendable, CaseIterable {
        /// `torch.OutOfMemoryError` (CUDA out of memory); ComfyUI then unloads all models.
        case outOfMemory = "oom"
        /// A plain `RuntimeError` from inside the sampler.
        case runtimeError = "runtime"
    }

    public var mode = Mode.none
    /// Prompts that run normally (once the plan is set) before the fault strikes.
    public var afterPrompts = 0
    /// Prompts the fault strikes; nil strikes every later prompt.
    public var count: Int? = 1
    /// The sampler step (1-based) the fault strikes at, clamped to the prompt's steps.
    public var atStep = 1
    public var failure = Failure.outOfMemory
    /// When set, the fault strikes only renders whose prompt text contains it (a poison input:
    /// the same job fails wherever it runs, the others never); the counters count those only.
    public var poison: String?
    /// Websocket messages stop for good while prompts keep completing (ComfyUI issues #15240,
    /// #3390); connections stay open.
    public var websocketStall = false
    /// RAM `/system_stats` shows lost for every prompt run (ComfyUI's per-run host RAM growth).
    public var memoryGrowthBytesPerPrompt: Int64 = 0

    public init(
        mode: Mode = .none, afterPrompts: Int = 0, count: Int? = 1, atStep: Int = 1, failure: Failure = .outOfMemory,
        poison: String? = nil, websocketStall: Bool = false, memoryGrowthBytesPerPrompt: Int64 = 0
    ) {
        self.poison = poison
        self.mode = mode
        self.afterPrompts = afterPrompts
        self.count = count
        self.atStep = atStep
        self.failure = failure
        self.websocketStall = websocketStall
        self.memoryGrowthBytesPerPrompt = memoryGrowthBytesPerPrompt
    }

    /// A refused fault plan.
    public struct InvalidPlan: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The plan a `POST /emulator/faults` body states.
    public init(json: ComfyJSON) throws(InvalidPlan) {
        guard let object = json.objectValue else { throw InvalidPlan(message: "the fault plan must be a JSON object") }
        let known: Set<String> = [
            "mode", "after_prompts", "count", "at_step", "failure", "poison", "websocket_stall",
            "memory_growth_bytes_per_prompt",
        ]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw InvalidPlan(message: "unknown fault setting '\(unknown)'")
        }
        self.init()
        if let value = object["mode"] {
            guard let text = value.stringValue, let mode = Mode(rawValue: text) else {
                throw InvalidPlan(message: "mode must be one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.mode = mode
        }
        if let value = object["failure"] {
            guard let text = value.stringValue, let failure = Failure(rawValue: text) else {
                throw InvalidPlan(message: "failure must be one of \(Failure.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.failure = failure
        }
        if let value = object["poison"], value != .null {
            guard let text = value.stringValue, !text.isEmpty else {
                throw InvalidPlan(message: "poison must be a non-empty string or null")
            }
            poison = text
        }
        afterPrompts = try Self.count(object["after_prompts"], "after_prompts", default: 0, minimum: 0)
        atStep = try Self.count(object["at_step"], "at_step", default: 1, minimum: 1)
        if let value = object["count"], value != .null {
            count = try Self.count(value, "count", default: 1, minimum: 1)
        } else if object["count"] == .null {
            count = nil
        }
        if let value = object["websocket_stall"] {
            guard case .bool(let flag) = value else { throw InvalidPlan(message: "websocket_stall must be true or false") }
            websocketStall = flag
        }
        memoryGrowthBytesPerPrompt = Int64(
            try Self.count(object["memory_growth_bytes_per_prompt"], "memory_growth_bytes_per_prompt", default: 0, minimum: 0))
    }

    private static func count(_ value: ComfyJSON?, _ name: String, default fallback: Int, minimum: Int) throws(InvalidPlan)
        -> Int
    {
        guard let value else { return fallback }
        guard case .int(let number) = value, number >= minimum, number <= Int128(Int.max) else {
            throw InvalidPlan(message: "\(name) must be an integer ≥ \(minimum)")
        }
        return Int(number)
    }

    public var json: ComfyJSON {
        var object = ComfyJSON.Object()
        object["mode"] = .string(mode.rawValue)
        object["after_prompts"] = .int(afterPrompts)
        object["count"] = count.map { ComfyJSON.int($0) } ?? .null
        object["at_step"] = .int(atStep)
        object["failure"] = .string(failure.rawValue)
        object["poison"] = poison.map(ComfyJSON.string) ?? .null
        object["websocket_stall"] = .bool(websocketStall)
        object["memory_growth_bytes_per_prompt"] = .int(Int128(memoryGrowthBytesPerPrompt))
        return .object(object)
    }
}
