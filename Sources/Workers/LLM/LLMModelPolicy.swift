/// Which model name a request to the server carries.
public enum LLMModelPolicy: Sendable, Equatable {
    /// The job's own `model` if it names one, else this one.
    case fillMissing(String)
    /// Always this one: the box serves one model, and a server that checks names (vLLM) would
    /// refuse any other.
    case override(String)
}
