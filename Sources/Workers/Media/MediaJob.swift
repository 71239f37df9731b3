import Broker
import JobContracts
import Synchronization

/// A claimed Dream Weaver job whose input is already in ComfyUI, ready to render.
struct MediaJob: Sendable {
    let claimed: ClaimedJob
    let context: JobContext
    let payload: DreamWeaverRender.Payload
    /// The workflow the payload names.
    let workflow: DreamWeaverWorkflow
    /// The uploaded room photo, as LoadImage names it.
    let input: ComfyUIFileRef
    /// Which of the worker's two input files it uses (the other one is the next job's).
    let slot: Int

    var id: String { claimed.id }
}

/// The rendered-but-not-yet-stored state of a job: ComfyUI's history entry for it.
struct RenderedJob: Sendable {
    let job: MediaJob
    let promptID: String
    let entry: ComfyUIHistoryEntry
}

/// Whether the worker's backend answers; shared by the claiming and rendering paths.
final class BackendHealth: Sendable {
    private let healthy = Mutex(true)

    var isHealthy: Bool { healthy.withLock { $0 } }

    /// Marks it down; true if it was up (so the outage is reported once).
    func markDown() -> Bool {
        healthy.withLock { state in
            defer { state = false }
            return state
        }
    }

    func markUp() {
        healthy.withLock { $0 = true }
    }
}
