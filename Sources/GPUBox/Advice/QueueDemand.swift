/// Work of one queue for a box: jobs queued (ready or scheduled) and running, how many of the
/// queued run as backfill (below priority 0: batch and synthetic lines), behind which an
/// interactive job never waits, and the batches among them that must be done by a time.
public struct QueueDemand: Sendable, Equatable, Codable {
    /// A batch with a completion window and lines not yet ended.
    public struct Window: Sendable, Equatable, Codable {
        public var batch: String
        public var queued: Int
        public var running: Int
        /// Seconds until the window closes (negative: it has closed).
        public var dueInSeconds: Double

        public init(batch: String, queued: Int, running: Int, dueInSeconds: Double) {
            self.batch = batch
            self.queued = max(queued, 0)
            self.running = max(running, 0)
            self.dueInSeconds = dueInSeconds
        }

        /// Lines still to finish.
        public var open: Int { queued + running }

        enum CodingKeys: String, CodingKey {
            case batch, queued, running
            case dueInSeconds = "due_in_seconds"
        }
    }

    public var queued: Int
    public var running: Int
    public var backfill: Int
    /// Earliest due first.
    public var windows: [Window]

    public init(queued: Int, running: Int, backfill: Int = 0, windows: [Window] = []) {
        self.queued = queued
        self.running = running
        self.backfill = min(max(backfill, 0), queued)
        self.windows = windows.sorted { $0.dueInSeconds < $1.dueInSeconds }
    }

    /// Everything still to do.
    public var work: Int { queued + running }

    /// Queued work an interactive job waits behind.
    public var interactive: Int { queued - backfill }

    /// Queued lines that run ahead of every batch with a window: the interactive ones, less the
    /// windowed lines already promoted out of the backfill band (at least those of their queued
    /// lines the backfill count cannot hold).
    public var aheadOfWindows: Int {
        let windowed = windows.reduce(0) { $0 + $1.queued }
        return max(interactive - max(windowed - backfill, 0), 0)
    }

    /// Reads what gateways of every version answer: `backfill` and `windows` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            queued: try container.decode(Int.self, forKey: .queued), running: try container.decode(Int.self, forKey: .running),
            backfill: try container.decodeIfPresent(Int.self, forKey: .backfill) ?? 0,
            windows: try container.decodeIfPresent([Window].self, forKey: .windows) ?? [])
    }

    enum CodingKeys: String, CodingKey {
        case queued, running, backfill, windows
    }
}
