import VelocityTypes
import Workers

extension FuzzTarget {
    /// What a ComfyUI server sends: websocket messages, and `/history/{id}` answers (the
    /// input's first line is the prompt id).
    static func comfyUI(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = ComfyUIEvent.decode(text)
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        let promptID = String(decoding: bytes[..<newline], as: UTF8.self)
        guard newline < bytes.endIndex, let answer = try? JSONValue(parsing: bytes[(newline + 1)...]) else { return }
        if let entry = try? ComfyUIHistoryEntry.parse(answer, promptID: promptID) {
            check(entry.promptID == promptID, "the entry of \(entry.promptID) for \(promptID)")
        }
    }

    /// A backend's Prometheus `/metrics` page (SGLang, vLLM, llama.cpp), read for its load.
    static func metrics(_ bytes: [UInt8]) {
        guard let load = ServerLoad.parse(String(decoding: bytes, as: UTF8.self)) else { return }
        check(load.running >= 0 && load.queued >= 0, "a load of \(load.running) running, \(load.queued) queued")
    }
}
