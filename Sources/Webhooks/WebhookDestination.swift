public import Foundation
import Glibc
import NIOPosix

/// Where a webhook goes, and whether it may go there (SSRF).
///
/// Only absolute `http`/`https` URLs without credentials. The host's addresses are resolved
/// and every one must be public: loopback, link-local (cloud metadata lives at 169.254.169.254),
/// private, carrier-grade NAT, multicast and reserved ranges are refused unless the operator
/// allows internal destinations. The check runs at submit and again at each delivery, and the
/// delivery connects to exactly the addresses checked (`resolveEntries`), so a name that
/// re-resolves to an internal address in between (DNS rebinding) gains nothing.
public struct WebhookDestination: Sendable, Equatable {
    public let url: String
    public let scheme: String
    public let host: String
    public let port: Int

    /// Reads a destination URL; throws `.webhookURLInvalid` naming what is wrong.
    public init(_ text: String) throws(WebhookError) {
        guard text.utf8.count <= 2_048, let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else {
            throw WebhookError(.webhookURLInvalid, "webhook_url must be an absolute http(s) URL, not '\(text.prefix(100))'")
        }
        guard scheme == "https" || scheme == "http" else {
            throw WebhookError(.webhookURLInvalid, "webhook_url must use https or http, not \(scheme)")
        }
        guard components.user == nil, components.password == nil else {
            throw WebhookError(.webhookURLInvalid, "webhook_url must not carry credentials; receivers verify the signature")
        }
        guard components.fragment == nil else { throw WebhookError(.webhookURLInvalid, "webhook_url must not have a #fragment") }
        url = text
        self.scheme = scheme
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (scheme == "https" ? 443 : 80)
    }

    /// The host's addresses, each checked; throws `.webhookDestinationRefused` naming the first
    /// internal one unless `allowInternal`. Blocking resolution runs on NIO's thread pool.
    public func resolve(allowInternal: Bool) async throws -> [String] {
        let host = self.host
        let addresses = try await NIOThreadPool.singleton.runIfActive { try Self.addresses(of: host) }
        guard !addresses.isEmpty else { throw WebhookError(.webhookDestinationRefused, "\(host) has no address") }
        if !allowInternal {
            for address in addresses {
                if let range = Self.internalRange(of: address) {
                    throw WebhookError(
                        .webhookDestinationRefused,
                        "\(host) resolves to \(address) (\(range)); internal destinations need the operator's webhook_allow_internal"
                    )
                }
            }
        }
        return addresses
    }

    /// `host:port:addr1,addr2`, libcurl's `CURLOPT_RESOLVE` pinning the checked addresses.
    public func resolveEntries(_ addresses: [String]) -> [String] {
        // An address literal needs no pinning: curl connects to it as written.
        if Self.isAddressLiteral(host) { return [] }
        let list = addresses.map { $0.contains(":") ? "[\($0)]" : $0 }.joined(separator: ",")
        return ["\(host):\(port):\(list)"]
    }

    static func addresses(of host: String) throws -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw WebhookError(.webhookDestinationRefused, "\(host) does not resolve: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            if entry.pointee.ai_family == AF_INET, let raw = entry.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var value = address.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &value, &buffer, socklen_t(buffer.count))
                }
            } else if entry.pointee.ai_family == AF_INET6, let raw = entry.pointee.ai_addr {
                raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var value = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &value, &buffer, socklen_t(buffer.count))
                }
            }
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.isEmpty && !found.contains(text) { found.append(text) }
            cursor = entry.pointee.ai_next
        }
        return found
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The internal range an address lies in (`loopback`, `private`, …), nil for a public one.
    public static func internalRange(of address: String) -> String? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return internalRange(ipv4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return "not an address" }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.allSatisfy({ $0 == 0 }) { return "unspecified" }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return "loopback" }
        // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d): the IPv4 address decides.
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
        let nat64 = bytes[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]
        if mapped || nat64 {
            return internalRange(ipv4: bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        // IPv4-compatible (::a.b.c.d, deprecated) and 6to4 (2002:a.b.c.d::/48) reach the IPv4 address.
        if bytes[0..<12].allSatisfy({ $0 == 0 }) {
            return internalRange(ipv4: bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) ?? "IPv4-compatible"
        }
        if bytes[0] == 0x20 && bytes[1] == 0x02 {
            return internalRange(ipv4: bytes[2..<6].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
        }
        if bytes[0..<6] == [0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01] { return "NAT64 local use" }
        if bytes[0..<8] == [0x01, 0x00, 0, 0, 0, 0, 0, 0] { return "discard only" }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local" }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return "site-local" }
        if bytes[0] & 0xFE == 0xFC { return "unique local" }
        if bytes[0] == 0xFF { return "multicast" }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8 { return "documentation" }
        return nil
    }

    static func internalRange(ipv4 value: UInt32) -> String? {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { value >> (32 - bits) == base >> (32 - bits) }
        if within(0x0000_0000, 8) { return "this network" }
        if within(0x7F00_0000, 8) { return "loopback" }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return "private" }
        if within(0x6440_0000, 10) { return "carrier-grade NAT" }
        if within(0xA9FE_0000, 16) { return "link-local" }
        if within(0xC000_0000, 24) { return "IETF protocol assignments" }
        if within(0xC612_0000, 15) { return "benchmarking" }
        if within(0xE000_0000, 4) { return "multicast" }
        if within(0xF000_0000, 4) { return "reserved" }
        return nil
    }
}
