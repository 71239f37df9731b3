/// A QD (qualification/desire) score with the evidence that drove it: the `qd.score` job's
/// result and a row of `intel_qd_scores` (CRM-CONTRACTS: QdSignalBundle).
///
/// Every score points back to evidence: `supporting_evidence_refs` are JSON pointers into the
/// packet (`/signals/12`), and `time_window` spans the readings they cite.
public struct QDSignalBundle: Codable, Sendable, Equatable {
    public struct TimeWindow: Codable, Sendable, Equatable {
        public var start_ms: Int
        public var end_ms: Int

        public init(start_ms: Int, end_ms: Int) {
            self.start_ms = start_ms
            self.end_ms = end_ms
        }
    }

    public var metadata: ArtifactMetadata
    public var signal_id: String
    /// The person: `crm_people/<person_id>`.
    public var client_ref: String
    /// The session and lead the packet came from: `showroom_session/<session_id>`.
    public var source_ref: String
    public var lead_ref: String
    /// Always `qd` for this kind; other score types share the bundle.
    public var score_type: String
    /// 1…100.
    public var value: Int
    public var confidence: Double
    public var reasoning_summary: String
    public var supporting_evidence_refs: [String]
    public var time_window: TimeWindow
    /// The marketing video on screen, when the packet named it.
    public var scene_ref: String?

    public init(
        metadata: ArtifactMetadata, signal_id: String, client_ref: String, source_ref: String, lead_ref: String,
        score_type: String, value: Int, confidence: Double, reasoning_summary: String,
        supporting_evidence_refs: [String], time_window: TimeWindow, scene_ref: String?
    ) {
        self.metadata = metadata
        self.signal_id = signal_id
        self.client_ref = client_ref
        self.source_ref = source_ref
        self.lead_ref = lead_ref
        self.score_type = score_type
        self.value = value
        self.confidence = confidence
        self.reasoning_summary = reasoning_summary
        self.supporting_evidence_refs = supporting_evidence_refs
        self.time_window = time_window
        self.scene_ref = scene_ref
    }
}
