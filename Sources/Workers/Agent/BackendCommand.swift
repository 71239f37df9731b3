/// A backend's command line and environment with `{placeholder}`s the agent fills per
/// instance: `{port}`, `{gpu_index}`, `{gpu_uuid}`, `{gpu_uuids}`, `{input_dir}`, `{output_dir}`,
/// `{temp_dir}`, `{extra_model_paths}`, `{model_path}`, `{tp}`, `{base_gpu_id}`, `{velocity}`
/// (the agent's own executable, for the emulators).
public struct BackendCommand: Sendable, Codable, Equatable {
    public var command: [String]
    public var environment: [String: String]

    public init(command: [String], environment: [String: String] = [:]) {
        self.command = command
        self.environment = environment
    }

    enum CodingKeys: String, CodingKey { case command, environment }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        command = try container.decode([String].self, forKey: .command)
        environment = try container.decodeIfPresent([String: String].self, forKey: .environment) ?? [:]
    }

    /// The command and environment with every placeholder replaced; throws naming a
    /// placeholder that has no value, so a typo in the file fails at start, not in production.
    public func rendered(with values: [String: String]) throws(AgentError) -> (command: [String], environment: [String: String]) {
        var command: [String] = []
        for part in self.command { command.append(try Self.fill(part, values)) }
        var environment: [String: String] = [:]
        for (key, value) in self.environment { environment[key] = try Self.fill(value, values) }
        return (command, environment)
    }

    static func fill(_ template: String, _ values: [String: String]) throws(AgentError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw AgentError(.invalidConfiguration, "unclosed '{' in backend command part '\(template)'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = values[name] else {
                throw AgentError(.invalidConfiguration, "unknown placeholder {\(name)} in '\(template)'")
            }
            output += value
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }
}
