/// Where a reader stands inside a field; the parser, the scanner's row counter and the
/// delimiter detection share these rules so that they agree on where records end.
///
/// A quote opens a quoted field only as the field's first byte (elsewhere it is data, a "stray
/// quote"); inside quotes `""` is one quote; a quote followed by anything but a quote, the
/// delimiter or a line break closes the quotes and the rest of the field is read unquoted.
enum CSVFieldState: UInt8, Sendable {
    case fieldStart
    case unquoted
    case quoted
    /// A quote was read inside quotes: an escaped quote if another follows, else the close.
    case quotedQuote
}
