import CRMImport
import Testing

/// Names: honorifics, case, first/last split and join, and the match key.
@Suite("Person name normalizer")
struct PersonNameNormalizerTests {
    let normalizer = PersonNameNormalizer()

    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let full: String?
        let first: String?
        let last: String?
        let salutation: String?
        let key: String?
        var testDescription: String { input }
    }

    @Test("full names", arguments: [
        Case(input: "MR. RAJESH KUMAR", full: "Rajesh Kumar", first: "Rajesh", last: "Kumar", salutation: "Mr.",
            key: "rajesh kumar"),
        Case(input: "smt. sunita devi", full: "Sunita Devi", first: "Sunita", last: "Devi", salutation: "Smt.",
            key: "sunita devi"),
        Case(input: "Dr. Anil D'Souza", full: "Anil D'Souza", first: "Anil", last: "D'Souza", salutation: "Dr.",
            key: "anil dsouza"),
        Case(input: "ANIL D'SOUZA", full: "Anil D'Souza", first: "Anil", last: "D'Souza", salutation: nil,
            key: "anil dsouza"),
        Case(input: "john mcdonald", full: "John McDonald", first: "John", last: "McDonald", salutation: nil,
            key: "john mcdonald"),
        Case(input: "PIETER VAN DER BERG", full: "Pieter van der Berg", first: "Pieter", last: "van der Berg",
            salutation: nil, key: "pieter van der berg"),
        Case(input: "  Rahul    Sharma  ", full: "Rahul Sharma", first: "Rahul", last: "Sharma", salutation: nil,
            key: "rahul sharma"),
        Case(input: "Mr.Rahul Sharma", full: "Rahul Sharma", first: "Rahul", last: "Sharma", salutation: "Mr.",
            key: "rahul sharma"),
        Case(input: "Shri Ramesh Patil", full: "Ramesh Patil", first: "Ramesh", last: "Patil", salutation: "Shri",
            key: "ramesh patil"),
        Case(input: "Shree Ganesh", full: "Ganesh", first: "Ganesh", last: nil, salutation: "Shri", key: "ganesh"),
        Case(input: "Prof. R. K. Narayan", full: "R. K. Narayan", first: "R. K.", last: "Narayan",
            salutation: "Prof.", key: "r k narayan"),
        Case(input: "PROFESSOR Meera Rao", full: "Meera Rao", first: "Meera", last: "Rao", salutation: "Prof.",
            key: "meera rao"),
        Case(input: "r.k. narayan", full: "R.K. Narayan", first: "R.K.", last: "Narayan", salutation: nil,
            key: "rk narayan"),
        Case(input: "Rahul Kumar Sharma", full: "Rahul Kumar Sharma", first: "Rahul Kumar", last: "Sharma",
            salutation: nil, key: "rahul kumar sharma"),
        Case(input: "Madonna", full: "Madonna", first: "Madonna", last: nil, salutation: nil, key: "madonna"),
        Case(input: "Mrs Ms. Priya Nair", full: "Priya Nair", first: "Priya", last: "Nair", salutation: "Mrs.",
            key: "priya nair"),
        Case(input: "mary-jane o'brien", full: "Mary-Jane O'Brien", first: "Mary-Jane", last: "O'Brien",
            salutation: nil, key: "mary jane obrien"),
        Case(input: "deSouza Fernandes", full: "deSouza Fernandes", first: "deSouza", last: "Fernandes",
            salutation: nil, key: "desouza fernandes"),
        Case(input: "Sourav De", full: "Sourav De", first: "Sourav", last: "De", salutation: nil, key: "sourav de"),
        Case(input: "José Müller", full: "José Müller", first: "José", last: "Müller", salutation: nil,
            key: "jose muller"),
        Case(input: "MR. JOSÉ D'SOUZA", full: "José D'Souza", first: "José", last: "D'Souza", salutation: "Mr.",
            key: "jose dsouza"),
        Case(input: "ÅSA VAN DER LINDEN", full: "Åsa van der Linden", first: "Åsa", last: "van der Linden",
            salutation: nil, key: "asa van der linden"),
    ])
    func fullNames(_ test: Case) throws {
        let name = try #require(normalizer.normalize(fullName: test.input))
        #expect(name.fullName == test.full)
        #expect(name.firstName == test.first)
        #expect(name.lastName == test.last)
        #expect(name.salutation == test.salutation)
        #expect(name.matchKey == test.key)
    }

    @Test("first and last only are joined, each cleaned on its own")
    func join() throws {
        let name = try #require(normalizer.normalize(firstName: "rahul", lastName: "SHARMA"))
        #expect(name.fullName == "Rahul Sharma")
        #expect(name.firstName == "Rahul")
        #expect(name.lastName == "Sharma")
        #expect(name.matchKey == "rahul sharma")
        #expect(normalizer.normalize(firstName: "Priya")?.fullName == "Priya")
        #expect(normalizer.normalize(lastName: "Nair")?.fullName == "Nair")
    }

    @Test("a salutation column and a first name with an honorific")
    func salutations() throws {
        let name = try #require(normalizer.normalize(firstName: "Ms. Priya", lastName: "Nair", salutation: "mrs"))
        #expect(name.salutation == "Mrs.", "the salutation column wins")
        #expect(name.firstName == "Priya")
        #expect(normalizer.normalize(firstName: "Dr Priya", lastName: "Nair")?.salutation == "Dr.")
        #expect(normalizer.canonicalSalutation("SMT") == "Smt.")
        #expect(normalizer.canonicalSalutation(" Mx. ") == "Mx.")
        #expect(normalizer.canonicalSalutation("Her Excellency") == "Her Excellency")
        #expect(normalizer.canonicalSalutation("  ") == nil)
    }

    @Test("full, first and last all given are kept as given")
    func allGiven() throws {
        let name = try #require(normalizer.normalize(fullName: "Rahul K Sharma", firstName: "Rahul", lastName: "Sharma"))
        #expect(name.fullName == "Rahul K Sharma")
        #expect(name.firstName == "Rahul")
        #expect(name.lastName == "Sharma")
    }

    @Test("no name, or an honorific alone")
    func empty() throws {
        #expect(normalizer.normalize() == nil)
        #expect(normalizer.normalize(fullName: "   ") == nil)
        let onlyTitle = try #require(normalizer.normalize(fullName: "Mrs."))
        #expect(onlyTitle.fullName == nil)
        #expect(onlyTitle.salutation == "Mrs.")
        #expect(onlyTitle.matchKey == nil)
    }

    @Test("a name of many words takes the Unicode path with the same rules")
    func manyWords() throws {
        let words = (1...30).map { "WORD\($0)" }
        let name = try #require(normalizer.normalize(fullName: "MR " + words.joined(separator: " ")))
        #expect(name.salutation == "Mr.")
        #expect(name.fullName == words.map { "Word" + $0.dropFirst(4) }.joined(separator: " "))
        #expect(name.lastName == "Word30")
    }

    @Test("clean and matchKey on their own")
    func helpers() {
        #expect(normalizer.clean("  PRIYA   NAIR ") == "Priya Nair")
        #expect(normalizer.clean("McKenzie") == "McKenzie")
        #expect(normalizer.matchKey("D'Souza, Anil") == "dsouza anil")
        #expect(normalizer.matchKey("Zoë  Saldaña-Nazario") == "zoe saldana nazario")
    }
}
