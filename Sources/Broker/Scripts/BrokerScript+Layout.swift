extension BrokerScript {
    /// Lua generated from `JobField` and `ClaimField`, the start of every script's prelude, so
    /// the scripts and the Swift that encodes their arguments and decodes their replies share
    /// one declaration of a job's fields:
    ///
    ///   JOB_FIELDS         ARGV slots per job in `enqueue`
    ///   F_<FIELD>          1-based slot of each field (F_ID, F_KIND, …, F_BACKOFF)
    ///   write_job(jk, b, created)
    ///                      writes a new job's hash from the slots after ARGV[b], with
    ///                      `created` (a string) as created_ms, state queued and no attempts
    ///   PREFER_WINDOW      how many of a tenant's oldest jobs a preferring claim looks at
    ///   CLAIM_FIELDS       reply fields per claimed job
    ///   C_<FIELD>          1-based offset of each (C_ID, C_ATTEMPT_ID, …, C_CLAIMED_MS)
    static let layout: String = {
        let jobFields = JobField.allCases
        let claimFields = ClaimField.allCases
        let stored = jobFields.compactMap { field -> String? in
            if field == .delayMilliseconds || JobField.sparse.contains(field) { return nil }
            return switch field {
            case .createdMilliseconds: "'\(field.rawValue)', created"
            default: "'\(field.rawValue)', ARGV[b + \(field.luaConstant)]"
            }
        }
        return """
            -- Generated from JobField and ClaimField (BrokerScript+Layout.swift).
            local JOB_FIELDS = \(jobFields.count)
            local \(jobFields.map(\.luaConstant).joined(separator: ", ")) =
                \(jobFields.map { String($0.slot) }.joined(separator: ", "))
            local function write_job(jk, b, created)
                redis.call('HSET', jk, \(stored.joined(separator: ", ")),
                    'state', 'queued', 'attempts', '0')
                -- Sparse fields (a trace context, progress webhooks): a job without them holds none.
            \(JobField.sparse.map { field in
                "    if ARGV[b + \(field.luaConstant)] ~= '' then redis.call('HSET', jk, '\(field.rawValue)', ARGV[b + \(field.luaConstant)]) end"
            }.joined(separator: "\n            "))
            end
            local PREFER_WINDOW = \(ClaimPreference.window)
            local CLAIM_FIELDS = \(claimFields.count)
            local \(claimFields.map(\.luaConstant).joined(separator: ", ")) =
                \(claimFields.map { String($0.offset + 1) }.joined(separator: ", "))

            """
    }()
}
