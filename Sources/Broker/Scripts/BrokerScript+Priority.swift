extension BrokerScript {
    static let reprioritize = make(
        "reprioritize",
        #"""
        -- Gives waiting jobs a new priority (a batch promoted as its window nears): a ready one
        -- moves to its new band keeping its place in time (its `queued_at`), a scheduled, retrying
        -- or parked one takes it when it becomes ready, a running one keeps it for its retries.
        -- Ended jobs, unknown ones and those already at that priority are left as they are.
        -- KEYS[13..]  the jobs' hashes
        -- ARGV[A+1]   the new priority
        -- Reply: how many jobs changed priority.
        local now = now_ms()
        local priority = tonumber(ARGV[A + 1])
        local changed = 0
        for k = 13, #KEYS do
            local jk = KEYS[k]
            local f = redis.call('HMGET', jk, 'state', 'priority', 'tenant', 'parked')
            local state = f[1]
            if state and state ~= 'succeeded' and state ~= 'failed' and state ~= 'canceled' and state ~= 'dead'
                and (tonumber(f[2]) or 0) ~= priority then
                local id = string.sub(jk, #K_JOB + 1)
                local since = (state == 'queued' and not f[4]) and redis.call('ZSCORE', K_QUEUED_AT, id)
                if since then unrotate(id, jk) end
                redis.call('HSET', jk, 'priority', str(priority))
                if since then join(id, member(f[3] or ''), str(priority), tonumber(since) - priority * CFG_AGING_MS, now) end
                changed = changed + 1
            end
        end
        return changed
        """#)
}
