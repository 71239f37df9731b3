public import Broker
import JobContracts

/// The workflows a media worker renders, by name: a job names one
/// (`DreamWeaverRender.Payload.workflow`) or gets the default.
public struct WorkflowCatalog: Sendable {
    /// By name.
    public let workflows: [String: DreamWeaverWorkflow]
    /// The one a job that names none gets.
    public let defaultWorkflow: DreamWeaverWorkflow
    /// All of them, in the order given (the default first).
    public let ordered: [DreamWeaverWorkflow]

    /// The first workflow is the default; names must differ.
    public init(_ workflows: [DreamWeaverWorkflow]) throws {
        guard let first = workflows.first else { throw WorkflowError(entry: "workflows", "none given") }
        var byName: [String: DreamWeaverWorkflow] = [:]
        for workflow in workflows {
            guard byName.updateValue(workflow, forKey: workflow.name) == nil else {
                throw WorkflowError(entry: "name", "two workflows are named '\(workflow.name)'")
            }
        }
        self.workflows = byName
        self.defaultWorkflow = first
        self.ordered = workflows
    }

    /// Loads the manifests at `paths` (the first is the default).
    public static func load(manifestsAt paths: [String]) async throws -> WorkflowCatalog {
        var workflows: [DreamWeaverWorkflow] = []
        for path in paths { workflows.append(try await DreamWeaverWorkflow.load(manifestAt: path)) }
        return try WorkflowCatalog(workflows)
    }

    /// The workflow of a job; a name the worker does not have fails the job for good.
    func workflow(for payload: DreamWeaverRender.Payload) throws -> DreamWeaverWorkflow {
        guard let name = payload.workflow else { return defaultWorkflow }
        guard let workflow = workflows[name] else {
            throw JobError(
                code: .unknownWorkflow,
                message: "workflow '\(name)' is not one this worker renders (\(workflows.keys.sorted().joined(separator: ", ")))",
                retriable: false)
        }
        return workflow
    }

    /// The affinities of the jobs a GPU holding `models` renders without loading one: each
    /// workflow whose models are all among them.
    func affinities(holding models: Set<String>) -> [String] {
        workflows.values.filter { workflow in workflow.models.allSatisfy { models.contains($0.key) } }
            .map { DreamWeaverRender.affinity(workflow: $0.name) }.sorted()
    }
}

extension WorkflowManifest.Model {
    /// `folder/name`, as one model file is told from another.
    var key: String { folder + "/" + name }
}

extension VelocityErrorCode {
    /// The job names a workflow the worker does not have.
    public static let unknownWorkflow: Self = "unknown_workflow"
}
