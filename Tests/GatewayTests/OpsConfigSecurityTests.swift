import Foundation
import Testing

/// The Redis and PostgreSQL configurations shipped in `ops/config` listen on loopback or a
/// private network only and let nobody in without a password.
@Suite("ops/ configurations: private addresses, passwords")
struct OpsConfigSecurityTests {
    static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ops/config")

    /// Lines without comments and blank ones.
    static func lines(_ path: String) throws -> [String] {
        try String(contentsOf: config.appendingPathComponent(path), encoding: .utf8).split(separator: "\n").map {
            String($0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    /// Loopback, or an RFC 1918 / unique-local address (a CIDR's base address too).
    static func isPrivate(_ address: String) -> Bool {
        let host = String(address.split(separator: "/").first ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        if ["localhost", "::1"].contains(host) || host.lowercased().hasPrefix("fd") { return true }
        let octets = host.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4 else { return false }
        return octets[0] == 127 || octets[0] == 10 || (octets[0] == 172 && (16...31).contains(octets[1]))
            || (octets[0] == 192 && octets[1] == 168)
    }

    @Test(
        "the checker itself: public addresses and wildcards are not private",
        arguments: ["0.0.0.0", "*", "8.8.8.8", "172.32.0.1", "192.169.1.1", "::", "example.com"])
    func publicAddresses(address: String) {
        #expect(!Self.isPrivate(address))
    }

    @Test("redis.conf: binds private addresses, protected mode, default user off, every user with a password")
    func redis() throws {
        let lines = try Self.lines("redis.conf")
        let binds = lines.filter { $0.hasPrefix("bind ") }.flatMap { $0.split(separator: " ").dropFirst().map(String.init) }
        #expect(!binds.isEmpty)
        for address in binds { #expect(Self.isPrivate(address), "bind \(address)") }
        #expect(lines.contains("protected-mode yes"))
        #expect(lines.contains("user default off"))
        let users = lines.filter { $0.hasPrefix("user ") && !$0.hasPrefix("user default ") }
        #expect(!users.isEmpty)
        for user in users {
            let words = user.split(separator: " ")
            #expect(!words.contains("nopass"), "\(user)")
            #expect(words.contains { $0.hasPrefix(">") || $0.hasPrefix("#") }, "\(words.prefix(2)) has no password")
        }
    }

    @Test("PostgreSQL: listens on private addresses only; SCRAM passwords from private networks, never trust")
    func postgres() throws {
        let settings = try Self.lines("postgresql/velocity.conf")
        let listen = try #require(settings.first { $0.hasPrefix("listen_addresses") })
        let addresses = listen.split(separator: "=", maxSplits: 1)[1].trimmingCharacters(in: CharacterSet(charactersIn: " '"))
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for address in addresses { #expect(Self.isPrivate(address), "listen_addresses \(address)") }
        #expect(settings.contains { $0.replacingOccurrences(of: " ", with: "") == "password_encryption=scram-sha-256" })
        let rules = try Self.lines("postgresql/pg_hba.conf").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(!rules.isEmpty)
        for rule in rules {
            #expect(!rule.contains("trust") && !rule.contains("md5") && !rule.contains("password"), "\(rule)")
            if rule.first == "host" || rule.first == "hostssl" {
                #expect(rule.last == "scram-sha-256", "\(rule)")
                #expect(Self.isPrivate(String(rule[3])), "\(rule)")
            }
        }
    }
}
