import ArgumentParser
import Workers

/// The loopback ports `velocity dev` serves on: the gateway's, the emulated ComfyUIs' (one per
/// GPU, consecutive from a base, as the agent numbers them) and the LLM server's.
///
/// A port the user fixed with an option must be free, or the command stops at once naming it
/// and what holds it; every other port is the first free one from its usual default, so a
/// real ComfyUI on 8188 moves the emulated ones aside instead of crash-looping them.
struct DevPorts: Equatable {
    var gateway: Int
    var comfyUIBase: Int
    var llm: Int
    let gpus: Int

    var comfyUI: ClosedRange<Int> { comfyUIBase...(comfyUIBase + gpus - 1) }

    static let defaults = (gateway: 8080, comfyUIBase: 8188, llm: 30000)

    static func choose(gateway: Int?, comfyUIBase: Int?, llm: Int?, gpus: Int) throws -> DevPorts {
        var taken: Set<Int> = []
        func fixed(_ port: Int, count: Int, option: String) throws -> Int {
            guard port + count - 1 <= 65_535 else {
                throw ValidationError("\(option) \(port) leaves no room for \(count) ports below 65536")
            }
            for candidate in port..<(port + count) where !LoopbackPort.isFree(candidate) || taken.contains(candidate) {
                let holder =
                    taken.contains(candidate)
                    ? "another port of this stack" : (LoopbackPort.holder(of: candidate) ?? "another socket")
                throw ValidationError(
                    "port \(candidate) (\(option)) is in use by \(holder); stop it or pick another port with \(option)")
            }
            taken.formUnion(port..<(port + count))
            return port
        }
        func free(from start: Int, count: Int, option: String) throws -> Int {
            var base = start
            while let found = LoopbackPort.firstFreeRange(from: base, count: count) {
                if !taken.isDisjoint(with: found..<(found + count)) {
                    base = found + 1
                    continue
                }
                taken.formUnion(found..<(found + count))
                return found
            }
            throw ValidationError("no free port from \(start) up for \(option)")
        }
        // The fixed ports first, so a free port chosen for another role never takes one of them.
        let fixedGateway = try gateway.map { try fixed($0, count: 1, option: "--port") }
        let fixedComfyUI = try comfyUIBase.map { try fixed($0, count: gpus, option: "--comfyui-port") }
        let fixedLLM = try llm.map { try fixed($0, count: 1, option: "--llm-port") }
        let gatewayPort = try fixedGateway ?? free(from: defaults.gateway, count: 1, option: "--port")
        let comfyUI = try fixedComfyUI ?? free(from: defaults.comfyUIBase, count: gpus, option: "--comfyui-port")
        let llmPort = try fixedLLM ?? free(from: defaults.llm, count: 1, option: "--llm-port")
        return DevPorts(gateway: gatewayPort, comfyUIBase: comfyUI, llm: llmPort, gpus: gpus)
    }

    /// What moved from its usual port, for the banner.
    var moved: [String] {
        var notes: [String] = []
        if gateway != Self.defaults.gateway { notes.append("gateway on \(gateway): \(Self.defaults.gateway) is in use") }
        if comfyUIBase != Self.defaults.comfyUIBase {
            notes.append(
                "emulated ComfyUIs on \(comfyUI.lowerBound)-\(comfyUI.upperBound): a port of \(Self.defaults.comfyUIBase)-\(Self.defaults.comfyUIBase + gpus - 1) is in use"
            )
        }
        if llm != Self.defaults.llm { notes.append("emulated LLM server on \(llm): \(Self.defaults.llm) is in use") }
        return notes
    }
}
