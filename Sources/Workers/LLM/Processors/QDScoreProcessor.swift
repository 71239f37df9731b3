public import Broker
import Foundation
public import JobContracts
public import PlatformStore
import StructuredOutput
import VelocityTypes

/// `qd.score`: the packet's readings go to the model through the versioned `qd_score` prompt;
/// its answer must fit the prompt's answer schema and cite readings that exist; the bundle is
/// stored in `intel_qd_scores` (once per job) and returned as the job's result.
public struct QDScoreProcessor: JobProcessor {
    public typealias Contract = QDScore

    let structured: StructuredCompletion
    let prompt: QDScorePrompt
    let store: QDScoreStore
    let workerID: String

    public init(structured: StructuredCompletion, prompt: QDScorePrompt, store: QDScoreStore, workerID: String) {
        self.structured = structured
        self.prompt = prompt
        self.store = store
        self.workerID = workerID
    }

    public func process(_ packet: PerceptionPacket, job: ClaimedJob, context: JobContext) async throws -> QDSignalBundle {
        var request = ChatCompletionRequest(fields: [:])
        request["messages"] = .array(try prompt.template.messages(Self.promptValues(packet)))
        request["temperature"] = 0.2
        request["max_tokens"] = 400
        let count = packet.signals.count
        let answer = try await structured.answer(request, schema: try prompt.schema(forReadings: count)) { value in
            let cited = value["evidence"]?.arrayValue ?? []
            return cited.compactMap { reference in
                guard let index = reference.intValue, (0..<Int64(count)).contains(index) else {
                    return "/evidence: \(reference.jsonText) is not the number of a reading (0 to \(count - 1))"
                }
                return nil
            }
        }
        let bundle = makeBundle(answer, packet: packet, job: job)
        // A recorded score is the job's result, whatever cancel arrives while it is written.
        return try await context.committing {
            try await store.record(bundle, jobID: job.id, tenant: job.tenant, packet: packet)
        }
    }

    func makeBundle(_ answer: StructuredCompletion.Answer, packet: PerceptionPacket, job: ClaimedJob) -> QDSignalBundle {
        let value = answer.value
        // The rules above accepted only numbers of readings that exist; one cited twice counts once.
        var seen: Set<Int> = []
        let cited = (value["evidence"]?.arrayValue ?? []).compactMap { $0.intValue.map(Int.init) }.filter {
            seen.insert($0).inserted
        }
        let times = cited.map { packet.signals[$0].t_ms }
        let confidence = value["confidence"].flatMap(\.doubleValue) ?? 0
        let id = JobID.make()
        return QDSignalBundle(
            metadata: ArtifactMetadata(
                artifact_id: id, artifact_type: "QdSignalBundle", schema_version: "1", source_system: "velocity.qd.score",
                created_at: ISO8601DateFormatter().string(from: Date()), created_by: workerID, confidence: confidence,
                provenance: [
                    "job_id": .string(job.id), "prompt": .string(prompt.template.name),
                    "prompt_version": .string(prompt.template.version), "model": .string(answer.model),
                    "llm_calls": .int(Int64(answer.calls)),
                    "repairs": .array(answer.repairs.map { .string($0.description) }),
                ]),
            signal_id: id, client_ref: "crm_people/\(packet.person_id)",
            source_ref: "showroom_session/\(packet.session_id)", lead_ref: "crm_leads/\(packet.lead_id)",
            score_type: "qd", value: Int(value["score"].flatMap(\.intValue) ?? 0), confidence: confidence,
            reasoning_summary: value["reasoning"]?.stringValue ?? "",
            supporting_evidence_refs: cited.map { "/signals/\($0)" },
            time_window: .init(start_ms: times.min() ?? 0, end_ms: times.max() ?? 0),
            scene_ref: packet.scene.map { "marketing_video/\($0.video_asset_id)@\($0.timestamp_ms)" })
    }

    /// The template's placeholders for one packet.
    static func promptValues(_ packet: PerceptionPacket) -> [String: String] {
        let lines = packet.signals.enumerated().map { index, signal in
            "\(index) | \(signal.t_ms) | \(signal.name) | \(signal.value)"
        }
        let scene =
            packet.scene.map {
                " They watched marketing video \($0.video_asset_id) from \($0.timestamp_ms) ms."
            } ?? ""
        return [
            "session_id": packet.session_id, "lead_id": packet.lead_id, "scene": scene,
            "count": String(packet.signals.count), "signals": lines.joined(separator: "\n"),
        ]
    }
}
