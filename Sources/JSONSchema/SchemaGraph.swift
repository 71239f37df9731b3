/// A compiled schema document: every schema in it that can be reached, and where each `$ref`
/// leads.
struct SchemaGraph: Sendable {
    let nodes: [SchemaNode]
    /// The target of each `$ref`, indexed by `Keyword.ref`'s slot.
    let refTargets: [NodeID]
    let root: NodeID
}
