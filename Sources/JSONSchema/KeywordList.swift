/// The keywords compiled from one schema object so far, each with the path of its keyword.
struct KeywordList {
    /// The schema object's own path.
    let location: String
    private(set) var keywords: [CompiledKeyword] = []

    init(location: String) {
        self.location = location
    }

    /// The path of keyword `name` of this schema object.
    func path(_ name: String) -> String { JSONPointer.appending(name, to: location) }

    mutating func add(_ name: String, _ keyword: Keyword) {
        keywords.append(CompiledKeyword(keyword: keyword, schemaPath: path(name)))
    }
}
