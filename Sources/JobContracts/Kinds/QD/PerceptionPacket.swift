/// A showroom perception packet: what the showroom's camera pipeline saw of one person during
/// one session, as a time series of face blend-shape signals, with the person's consent.
public struct PerceptionPacket: Codable, Sendable, Equatable {
    /// One reading of one signal.
    public struct Signal: Codable, Sendable, Equatable {
        /// Milliseconds since the session started.
        public var t_ms: Int
        /// The blend shape (`brow_furrow`, `smile_intensity`, `eye_widen`…).
        public var name: String
        /// Its intensity, 0…1.
        public var value: Double

        public init(t_ms: Int, name: String, value: Double) {
            self.t_ms = t_ms
            self.name = name
            self.value = value
        }
    }

    /// What was on screen: the marketing video and where in it.
    public struct Scene: Codable, Sendable, Equatable {
        public var video_asset_id: String
        public var timestamp_ms: Int

        public init(video_asset_id: String, timestamp_ms: Int) {
            self.video_asset_id = video_asset_id
            self.timestamp_ms = timestamp_ms
        }
    }

    /// The `crm_people` id the score belongs to (the QD history is read by it).
    public var person_id: String
    public var lead_id: String
    public var session_id: String
    /// The person agreed to be scored; a packet without consent is refused and nothing is kept.
    public var consent: Bool
    public var signals: [Signal]
    public var scene: Scene?

    public init(
        person_id: String, lead_id: String, session_id: String, consent: Bool, signals: [Signal], scene: Scene? = nil
    ) {
        self.person_id = person_id
        self.lead_id = lead_id
        self.session_id = session_id
        self.consent = consent
        self.signals = signals
        self.scene = scene
    }
}
