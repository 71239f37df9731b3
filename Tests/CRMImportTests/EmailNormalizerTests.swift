import CRMImport
import Testing

/// Email cells: trimmed, lower-cased, validated, split into primary and alternates.
@Suite("Email normalizer")
struct EmailNormalizerTests {
    let normalizer = EmailNormalizer()

    @Test("one address, cleaned", arguments: [
        ("rahul.sharma@gmail.com", "rahul.sharma@gmail.com"), ("Rahul.Sharma@Gmail.COM", "rahul.sharma@gmail.com"),
        ("  rahul@x.co.in ", "rahul@x.co.in"), ("mailto:Rahul@X.com", "rahul@x.com"),
        ("MAILTO:rahul@x.com", "rahul@x.com"), ("<rahul@x.com>", "rahul@x.com"),
        ("Rahul Sharma <rahul@x.com>", "rahul@x.com"), ("rahul+homes@x.com", "rahul+homes@x.com"),
        ("r_k-o'neil@sub.example.ae", "r_k-o'neil@sub.example.ae"), ("rahul@x.com.", "rahul@x.com"),
        ("\"rahul@x.com\"", "rahul@x.com"),
    ])
    func single(text: String, expected: String) {
        let list = normalizer.normalize(text)
        #expect(list.emails == [expected])
        #expect(list.primary == expected)
        #expect(list.alternates.isEmpty)
        #expect(list.invalid.isEmpty)
        #expect(normalizer.normalizeAddress(text) == expected)
    }

    @Test("several addresses: the first is primary", arguments: [
        "a@b.com; c@d.com", "a@b.com, c@d.com", "a@b.com c@d.com", "A@B.com ;  C@D.COM ; a@b.com", "a@b.com\nc@d.com",
    ])
    func several(text: String) {
        let list = normalizer.normalize(text)
        #expect(list.primary == "a@b.com")
        #expect(list.alternates == ["c@d.com"])
        #expect(list.invalid.isEmpty)
        #expect(normalizer.normalizeAddress(text) == nil)
    }

    @Test("invalid addresses are reported as written", arguments: [
        "rahul@gmail", "rahul gmail.com", "rahul@@gmail.com", "rahul@gmail..com", ".rahul@gmail.com",
        "rahul.@gmail.com", "rahul..k@gmail.com", "rahul@-gmail.com", "rahul@gmail-.com", "rahul@gmail.c0m",
        "rahul@gmail.c", "@gmail.com", "rahul@", "räh@x.com", "rahul@x_y.com", "rahul(at)gmail.com",
        String(repeating: "a", count: 65) + "@x.com", "a@" + String(repeating: "b", count: 250) + ".com",
    ])
    func invalid(text: String) {
        let list = normalizer.normalize(text)
        #expect(list.emails.isEmpty, "\(text)")
        #expect(!list.invalid.isEmpty)
        #expect(normalizer.normalizeAddress(text) == nil)
    }

    @Test("valid and invalid in one cell")
    func mixed() {
        let list = normalizer.normalize("good@x.com; bad@")
        #expect(list.emails == ["good@x.com"])
        #expect(list.invalid == ["bad@"])
    }

    @Test("an empty cell has no addresses")
    func empty() {
        #expect(normalizer.normalize("") == EmailList())
        #expect(normalizer.normalize(" ; ") == EmailList())
    }
}
