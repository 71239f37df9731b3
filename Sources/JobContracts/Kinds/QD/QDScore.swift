import Foundation

/// `qd.score`: scores a showroom perception packet into a 1–100 QD (qualification/desire)
/// score with the box's LLM, beside chats in the dispatcher's window.
///
/// The payload is a `PerceptionPacket`; a packet without consent is refused at submit (422)
/// and nothing is stored. The result is a `QDSignalBundle`, also kept in `intel_qd_scores`.
public enum QDScore: JobContract {
    public static let kind = JobKind(name: "qd.score", queue: "llm", defaultPriority: 0)

    public typealias Payload = PerceptionPacket
    public typealias Result = QDSignalBundle

    /// Most readings in one packet: the prompt lists each one.
    public static let maxSignals = 2_000

    public static func validate(_ packet: PerceptionPacket) throws(PayloadError) {
        guard packet.consent else {
            throw PayloadError(kind: kind.name, field: "consent", "must be true: the person has not consented to scoring")
        }
        for (field, value) in [("person_id", packet.person_id), ("lead_id", packet.lead_id), ("session_id", packet.session_id)]
        where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 200 {
            throw PayloadError(kind: kind.name, field: field, "must be a non-empty id of at most 200 characters")
        }
        guard !packet.signals.isEmpty, packet.signals.count <= maxSignals else {
            throw PayloadError(kind: kind.name, field: "signals", "must hold 1 to \(maxSignals) readings")
        }
        for (index, signal) in packet.signals.enumerated() {
            guard signal.t_ms >= 0 else {
                throw PayloadError(kind: kind.name, field: "signals.\(index).t_ms", "must be 0 or more")
            }
            guard Self.isSignalName(signal.name) else {
                throw PayloadError(
                    kind: kind.name, field: "signals.\(index).name", "must be 1 to 64 letters, digits or underscores")
            }
            guard signal.value.isFinite, (0...1).contains(signal.value) else {
                throw PayloadError(kind: kind.name, field: "signals.\(index).value", "must be a number from 0 to 1")
            }
        }
        if let scene = packet.scene {
            guard !scene.video_asset_id.isEmpty else {
                throw PayloadError(kind: kind.name, field: "scene.video_asset_id", "must not be empty")
            }
            guard scene.timestamp_ms >= 0 else {
                throw PayloadError(kind: kind.name, field: "scene.timestamp_ms", "must be 0 or more")
            }
        }
    }

    static func isSignalName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A) }
    }
}
