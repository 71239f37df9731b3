/// Work of one queue for a box: jobs queued (ready or scheduled) and running, and how many of
/// the queued run as backfill (below priority 0: batch and synthetic lines), behind which an
/// interactive job never waits.
public struct QueueDemand: Sendable, Equatable, Codable {
    public var queued: Int
    public var running: Int
    public var backfill: Int

    public init(queued: Int, running: Int, backfill: Int = 0) {
        self.queued = queued
        self.running = running
        self.backfill = min(max(backfill, 0), queued)
    }

    /// Everything still to do.
    public var work: Int { queued + running }

    /// Queued work an interactive job waits behind.
    public var interactive: Int { queued - backfill }

    /// Reads what gateways of every version answer: `backfill` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            queued: try container.decode(Int.self, forKey: .queued), running: try container.decode(Int.self, forKey: .running),
            backfill: try container.decodeIfPresent(Int.self, forKey: .backfill) ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case queued, running, backfill
    }
}
