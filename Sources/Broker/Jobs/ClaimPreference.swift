/// What a worker holds that makes some jobs cheap for it to run and others costly: a GPU lane's
/// loaded models, named by the affinities of the jobs that need them (`JobSubmission.affinity`).
///
/// A claim with a preference, when it takes one job of a tenant's turn, looks at that tenant's
/// `window` oldest ready jobs and takes the first whose affinity the worker holds (or that has
/// none) and that was accepted less than `passOver` after the oldest; else the oldest, as
/// without a preference. So a job is never overtaken by one accepted `passOver` or more after
/// it, and waits at most about that much longer than in queue order; a backlog queued at once
/// is all one age, and is reordered freely. Nothing else changes: priority bands, fair share,
/// caps and rates decide whose turn it is first. When none of the window matches, the oldest is
/// taken (a GPU that loads a model beats one that idles waiting for a job it holds).
public struct ClaimPreference: Sendable, Equatable {
    /// The affinities the worker holds; each 1-128 bytes without control characters.
    public var affinities: [String]
    /// How much younger than the oldest a job taken ahead of it may be.
    public var passOver: Duration

    /// How many of a tenant's oldest jobs a claim looks at for one it holds. Wide enough that a
    /// lane leaves its model only when that model's jobs have really run out: with 16, a 50/50
    /// mix of two checkpoints on 4 GPUs loaded a checkpoint 3.5 times per 160 jobs (stragglers
    /// of a model past the window made a lane switch early, then another switch back), with 64
    /// 1.8 times, the least that mix needs (a simulation of `bench/run gpu-pool`'s workload).
    /// The scan stops at the first match, and at the first job `passOver` younger than the oldest.
    public static let window = 64

    public init(affinities: [String], passOver: Duration) {
        self.affinities = affinities
        self.passOver = passOver
    }

    /// The claim script's two arguments: the affinities one per line, and `passOver` in ms.
    var arguments: [String] {
        [affinities.joined(separator: "\n"), String(max(0, passOver.milliseconds))]
    }
}
