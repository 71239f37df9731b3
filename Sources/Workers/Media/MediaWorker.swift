public import BlobStore
public import Broker
public import Logging
public import ServiceLifecycle

/// Renders Dream Weaver jobs on one GPU's ComfyUI, one at a time, with the next job already
/// claimed and its photo uploaded while the current one renders, so the GPU never waits for
/// the broker, the blob store or an upload. The next job is claimed `prefetchLead` before the
/// current render's estimated end (`RenderPace`), not as it starts: until then an idle GPU's
/// worker gets it.
///
/// The next prompt is queued in ComfyUI only when the current one ended (not right away
/// behind it): the gap is one websocket message plus one local `POST /prompt`, milliseconds,
/// and in exchange ComfyUI only ever holds the job being rendered, so a cancel, a drain or a
/// crash concerns exactly one prompt, and the prefetched job can be given back without
/// touching ComfyUI. Storing a finished render's output (`/view`, libpng, blob store, ack)
/// overlaps the next render.
///
/// - Cancel: the queue's `cancel_requested` event (followed as it happens) or a heartbeat reply
///   with `cancelRequested` → `POST /interrupt {prompt_id}` (and the prompt is dropped from
///   ComfyUI's queue) → the job ends canceled.
/// - Graceful shutdown (drain): stops claiming, gives the prefetched job back unspent
///   (`.release`), finishes the current render and stores it, then returns.
/// - Task cancellation (drain deadline passed): interrupts the current prompt and gives it,
///   and the prefetched job, back unspent — unless the agent cancelled because the backend
///   process died (`Configuration.lifeline`): then the rendering job spends its attempt as
///   `backend_crash` with the GPU as its fault domain, and two GPUs crashed make it dead.
/// - Backend failure (unreachable, lost the prompt after a restart, or silent past the
///   deadline): the job fails with `.retry` after a short delay (an attempt spent, so a
///   crash loop cannot hold a job forever) and another GPU takes it; `backendUnresponsive`
///   is reported once, the prefetched job is given back, the prompt is interrupted if the
///   server still answers, and the worker stops claiming and probes `/system_stats` and
///   `/queue` until the backend answers and runs nothing, then claims again. `run()` does
///   not return on a backend failure: restarting the backend is the agent's call.
public struct MediaWorker: Service {
    public struct Configuration: Sendable {
        public var queue: String
        public var workerID: String
        /// Longest a claim blocks before checking for shutdown.
        public var claimWait: Duration = .seconds(1)
        /// Claim and upload the next job while the current one renders, and store a finished
        /// render while the next one runs. Off only to measure what that buys: then each job
        /// is claimed, uploaded, rendered and stored in turn, as hand-rolled workers do
        /// (`bench/run gpu-pool`'s naive peer).
        public var prefetch = true
        /// How long before the current render's estimated end the next job is claimed and its
        /// photo uploaded: enough for a claim, a blob read and an upload.
        public var prefetchLead: Duration = .milliseconds(1_500)
        /// Subfolder of ComfyUI's input directory for this worker's two input files (reused,
        /// overwritten: ComfyUI has no route to delete uploads).
        public var inputSubfolder = "velocity"
        /// Prefix of the saved images' names under ComfyUI's output directory; the job id
        /// follows it. The agent owns pruning that directory.
        public var outputPrefix = "velocity/"
        /// Completion tracking's poll schedule and deadlines.
        public var completion = ComfyUICompletion.Timing()
        /// Least time between two progress reports of a job to the broker.
        public var progressInterval: Duration = .milliseconds(500)
        /// How often a backend that stopped answering is probed.
        public var backendProbeInterval: Duration = .seconds(1)
        /// Delay of the retry of a job whose backend failed, so another GPU takes it.
        public var backendFailureRetryDelayMilliseconds = 250
        /// Delay of the retry of a job someone else interrupted in ComfyUI.
        public var interruptedRetryDelayMilliseconds = 1_000
        /// How long a canceled or stopped prompt is given to leave ComfyUI.
        public var interruptConfirmation: Duration = .seconds(10)
        /// Set by the box agent: tells a cancellation that came with the backend's death from
        /// a drain, so the job that was rendering spends its attempt (`backend_crash`, with the
        /// lane's fault domain) instead of going back unspent to crash the next GPU.
        public var lifeline: BackendLifeline?
        /// How long a finished render's PNG is retried while the blob store fails to take it.
        public var outputStoreRetry: Duration = .seconds(60)
        /// How long a render whose requests failed waits to learn whether the backend died.
        public var crashConfirmation: Duration = .seconds(2)
        /// Model-aware routing: the worker claims a job of a workflow whose models its GPU holds
        /// ahead of older jobs that need others, if it was accepted less than this after the
        /// oldest (`ClaimPreference.passOver`). Nil: claims in the queue's order.
        public var modelAffinity: Duration? = .seconds(30)
        /// How many workflows' model sets the GPU holds at once (an L4 holds one SDXL
        /// checkpoint beside a 1024-px render).
        public var modelSlots = 1

        public init(queue: String = "media", workerID: String) {
            self.queue = queue
            self.workerID = workerID
        }

        /// The configuration of the worker of an agent's lane: its id and its backend's lifeline.
        public init(queue: String = "media", lane: WorkerFactory.Lane) {
            self.init(queue: queue, workerID: lane.workerID)
            lifeline = lane.lifeline
        }
    }

    let configuration: Configuration
    let comfyUI: ComfyUIClient
    let blobs: any BlobStore
    let broker: any JobBroker
    let workflows: WorkflowCatalog
    /// What this worker's ComfyUI holds, for model-aware claims.
    let loaded: LoadedModels
    let logger: Logger
    let activity: WorkerActivitySink
    let health = BackendHealth()
    /// Where the current render stands, for the next job's claim.
    let pace = RenderPace()
    /// Leases, cancels, completions and failures of the jobs this worker holds.
    let runtime: WorkerRuntime

    /// - Parameters:
    ///   - comfyUI: the client of this GPU's ComfyUI; its `clientID` should be unique to this
    ///     worker (the websocket is opened under it).
    ///   - activity: called on the worker's task with each `WorkerActivity`; keep it quick.
    ///   - workflows: the workflows it renders, by the name a job gives.
    public init(
        configuration: Configuration, comfyUI: ComfyUIClient, blobs: any BlobStore, broker: any JobBroker,
        workflows: WorkflowCatalog, logger: Logger, activity: @escaping WorkerActivitySink = { _ in }
    ) {
        self.configuration = configuration
        self.comfyUI = comfyUI
        self.blobs = blobs
        self.broker = broker
        self.workflows = workflows
        self.loaded = LoadedModels(capacity: configuration.modelSlots)
        self.logger = logger
        self.activity = activity
        // A cancel must stop a render at once: ComfyUI nodes without step progress give the
        // worker no heartbeat to learn it from for a third of the lease.
        self.runtime = WorkerRuntime(
            broker: broker, workerID: configuration.workerID, logger: logger, activity: activity,
            cancelQueue: configuration.queue)
    }

    /// A worker of one workflow.
    public init(
        configuration: Configuration, comfyUI: ComfyUIClient, blobs: any BlobStore, broker: any JobBroker,
        workflow: DreamWeaverWorkflow, logger: Logger, activity: @escaping WorkerActivitySink = { _ in }
    ) {
        // One workflow has one name: the catalog cannot refuse it.
        let workflows = try! WorkflowCatalog([workflow])
        self.init(
            configuration: configuration, comfyUI: comfyUI, blobs: blobs, broker: broker, workflows: workflows,
            logger: logger, activity: activity)
    }

    public func run() async throws {
        let consumer = try await broker.makeConsumer(queue: configuration.queue, workerID: configuration.workerID)
        let hub = ComfyUIEventHub()
        let socket = ComfyUIEventSocket(url: comfyUI.webSocketURL, hub: hub, logger: logger)
        await withDiscardingTaskGroup { loops in
            loops.addTask { await socket.run() }
            await runtime.run {
                await withDiscardingTaskGroup { finishers in
                    await renderLoop(consumer: consumer, hub: hub, finishers: &finishers)
                }
            }
            loops.cancelAll()
        }
        await consumer.close()
    }

    /// Graceful shutdown or cancellation: stop taking work.
    var isStopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    private func renderLoop(
        consumer: any JobConsumer, hub: ComfyUIEventHub, finishers: inout DiscardingTaskGroup
    ) async {
        var next: MediaJob?
        while !isStopping {
            if !health.isHealthy {
                await waitForBackend()
                continue
            }
            if next == nil { next = await acquire(slot: 0, consumer: consumer) }
            guard let job = next else { continue }
            let prefetch = configuration.prefetch
            pace.begin()
            async let following = prefetch ? acquire(slot: 1 - job.slot, consumer: consumer, nearEndOf: pace) : nil
            // Each stage in the job's span: its ComfyUI calls are spans of the submitter's trace.
            let rendered = await job.context.traced({ await render(job, hub: hub) })
            pace.end()
            if let rendered {
                if prefetch {
                    finishers.addTask { await job.context.traced { await finish(rendered) } }
                } else {
                    await job.context.traced { await finish(rendered) }
                }
            }
            next = await following
            if let prefetched = next, !health.isHealthy || Task.isCancelled {
                await release(prefetched, reason: Task.isCancelled ? "the worker stopped" : "its GPU's backend went down")
                next = nil
            }
        }
        if let prefetched = next {
            await release(prefetched, reason: "the worker is draining")
        }
    }

    /// Probes the backend until it answers and runs nothing (or the worker stops): a server
    /// whose executor hangs still answers HTTP, and must not get the next job.
    private func waitForBackend() async {
        while !isStopping {
            if (try? await comfyUI.systemStats()) != nil, let queue = try? await comfyUI.queue(), queue.running.isEmpty {
                health.markUp()
                logger.info("ComfyUI at \(comfyUI.baseURL) answers again and is idle; claiming again")
                return
            }
            try? await Task.sleep(for: configuration.backendProbeInterval)
        }
    }

    /// Reports the backend down, once per outage.
    func backendFailed(_ reason: String) {
        // A backend that comes back may have restarted with nothing loaded.
        loaded.clear()
        if health.markDown() {
            logger.warning("ComfyUI at \(comfyUI.baseURL) is unresponsive: \(reason); not claiming until it answers")
            activity(.backendUnresponsive(reason: reason))
        }
    }
}
