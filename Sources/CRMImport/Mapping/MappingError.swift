public import VelocityTypes

/// A mapping edit that cannot be applied: the manifest is left as it was.
public typealias MappingError = DomainError<MappingErrorDomain>

/// The domain of `MappingError`.
public enum MappingErrorDomain: ErrorDomain {
    public static var prefix: String? { "mapping" }
}

extension VelocityErrorCode {
    /// An edit names a column index out of range, or a header the file does not have.
    public static let mappingUnknownColumn: Self = "mapping_unknown_column"
    /// An edit names a header that several columns share; it must name the column by index.
    public static let mappingAmbiguousColumn: Self = "mapping_ambiguous_column"
    /// After the edits, two columns would fill one single-valued field.
    public static let mappingDuplicateField: Self = "mapping_duplicate_field"
    /// Two edits in one request name the same column.
    public static let mappingConflictingEdits: Self = "mapping_conflicting_edits"
    /// A budget unit was given for a column that is not mapped to a budget field.
    public static let mappingUnitNotApplicable: Self = "mapping_unit_not_applicable"
}
