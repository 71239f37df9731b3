public import VelocityTypes

/// A prompt template that cannot be read or used: raised at start-up, so a broken template
/// stops the worker instead of failing jobs.
public typealias PromptTemplateError = DomainError<PromptTemplateErrorDomain>

/// The domain of `PromptTemplateError`.
public enum PromptTemplateErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// A prompt template is missing, malformed, or filled with the wrong placeholders.
    public static let invalidPromptTemplate: Self = "invalid_prompt_template"
}
