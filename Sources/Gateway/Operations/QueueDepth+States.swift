import Broker

extension QueueDepth {
    /// The queue's jobs by state, as `/v1/queues` and the dashboard's overview show them.
    var countsByState: [String: Int] {
        ["queued": queued, "scheduled": scheduled, "active": active, "dead": dead, "finished": finished]
    }
}
