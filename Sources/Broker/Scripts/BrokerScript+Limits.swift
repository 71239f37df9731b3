extension BrokerScript {
    static let setLimits = make(
        "set_limits",
        #"""
        -- Replaces the queue's weights, caps and rates with ARGV[A+1…] (field, value pairs, see
        -- `fairness`) and returns every parked job to its tenant, so a raised or removed limit
        -- holds from the next claim; a lowered cap lets running jobs finish. Turning fair share
        -- on or off moves every waiting job to its new rotation.
        -- Reply: the number of parked jobs returned.
        local now = now_ms()
        local off = false
        for i = A + 1, #ARGV, 2 do if ARGV[i] == 'fair' and ARGV[i + 1] == 'off' then off = true end end
        local moving = {}
        if (member('') == ALL) ~= off then
            for _, id in ipairs(redis.call('ZRANGE', K_QUEUED_AT, 0, -1)) do
                local jk = K_JOB .. id
                if not redis.call('HGET', jk, 'parked') then
                    unrotate(id, jk)
                    moving[#moving + 1] = id
                end
            end
        end
        redis.call('DEL', K_LIMITS)
        if #ARGV > A then redis.call('HSET', K_LIMITS, unpack(ARGV, A + 1)) end
        LIMITS, LIMITED = nil, false
        for _, id in ipairs(moving) do
            local f = redis.call('HMGET', K_JOB .. id, 'priority', 'tenant')
            local priority = tonumber(f[1]) or 0
            local since = tonumber(redis.call('ZSCORE', K_QUEUED_AT, id)) or now
            join(id, member(f[2] or ''), tostring(priority), since - priority * CFG_AGING_MS, now)
        end
        local returned = 0
        for _, subject in ipairs(redis.call('SMEMBERS', K_PARKED)) do
            while redis.call('EXISTS', blocked_key(subject)) == 1 do returned = returned + unpark(subject, 1000, now) end
        end
        redis.call('DEL', K_WAKE)
        signal(CFG_SIGNAL_CAP)
        return returned
        """#)

    static let standing = make(
        "standing",
        #"""
        -- Where queued jobs stand, and what their ETAs are made of.
        -- KEYS[13…]  job hashes
        -- Reply: {running jobs in the queue, ms since a worker last claimed (-1 never), the recent
        -- run times (ms) of the queue, {kind, its run times, …}, completions per second of the
        -- last few seconds ('' none), then per job: position (jobs the fair scheduler starts
        -- before it; -1 none or not queued), waiting reason ('' none), kind}.
        local now = now_ms()
        local last = redis.call('ZRANGE', K_CONSUMERS, -1, -1, 'WITHSCORES')
        local kinds, seen = {}, {}
        local rate = redis.call('HMGET', K_META, 'rate', 'rate_at')
        local fresh = rate[1] and now - (tonumber(rate[2]) or 0) <= 5000
        local out = { redis.call('ZCARD', K_ACTIVE), last[2] and (now - tonumber(last[2])) or -1,
            redis.call('LRANGE', BASE .. 'durations', 0, -1), kinds, fresh and rate[1] or '' }
        local paused = redis.call('HGET', K_META, 'paused') == '1'
        local function full(subject, at)
            if at then
                return string.format('waiting: rate limit %s, next slot in %.1f s', subject, math.max(at - now, 0) / 1000)
            end
            return 'waiting: concurrency cap ' .. subject .. ' (' .. (redis.call('HGET', K_RUNNING, subject) or '0')
                .. ' of ' .. (limit('cap', subject) or '?') .. ' running)'
        end
        -- Everything queued in higher bands, then, in its own band, each other tenant's jobs whose
        -- turn (pass + k ÷ weight) comes before this job's.
        local function position(id, band, tenant)
            local rank = redis.call('ZRANK', tenant_key(band, tenant), id)
            local mine = tonumber(redis.call('ZSCORE', band_key(band), tenant))
            if not rank or not mine then return -1 end
            local ahead = rank
            for _, b in ipairs(redis.call('ZRANGE', K_BANDS, 0, -1)) do
                if tonumber(b) > tonumber(band) then
                    for _, t in ipairs(redis.call('ZRANGE', band_key(b), 0, -1)) do
                        ahead = ahead + redis.call('ZCARD', tenant_key(b, t))
                    end
                end
            end
            local turn = mine + rank / weight(tenant)
            local rotation = redis.call('ZRANGE', band_key(band), 0, -1, 'WITHSCORES')
            for i = 1, #rotation, 2 do
                local other = rotation[i]
                if other ~= tenant then
                    -- The other's turns before this job's: its own rule, seen from the other side.
                    local before = 0
                    local x = (turn - tonumber(rotation[i + 1])) * weight(other)
                    if x > -1e-9 then
                        before = turns_before(tonumber(rotation[i + 1]), weight(other), other, turn, tenant)
                        if x < 1e-9 and other > tenant then before = 0 end
                    end
                    ahead = ahead + math.min(before, redis.call('ZCARD', tenant_key(band, other)))
                end
            end
            return ahead
        end
        for i = 13, #KEYS do
            local jk = KEYS[i]
            local f = redis.call('HMGET', jk, 'state', 'priority', 'tenant', 'kind', 'parked', 'scheduled_ms')
            local kind, tenant, spot, reason = f[4] or '', f[3] or '', -1, ''
            if f[1] == 'queued' then
                if not seen[kind] then
                    seen[kind] = true
                    kinds[#kinds + 1] = kind
                    kinds[#kinds + 1] = redis.call('LRANGE', BASE .. 'durations:' .. kind, 0, -1)
                end
                if f[5] then
                    local wake = redis.call('ZSCORE', K_WAKE, f[5])
                    reason = full(f[5], wake and tonumber(wake))
                else
                    if paused then reason = 'waiting: queue paused' end
                    for _, subject in ipairs({ 'queue', 'tenant:' .. tenant }) do
                        local free, at = room(subject, now)
                        if free <= 0 and reason == '' then reason = full(subject, at) end
                    end
                    spot = position(string.sub(jk, #K_JOB + 1), tostring(tonumber(f[2]) or 0), member(tenant))
                    local due = tonumber(f[6])
                    if spot < 0 and due and due > now and reason == '' then
                        reason = string.format('waiting: scheduled, due in %.1f s', (due - now) / 1000)
                    end
                end
            end
            out[#out + 1] = spot; out[#out + 1] = reason; out[#out + 1] = kind
        end
        return out
        """#)

    static let share = make(
        "share",
        #"""
        -- How the queue's work is shared out now.
        -- Reply: {{tenant, jobs in its band rotations, …}, {capped subject, running, …},
        -- {subject, parked jobs, …}, throttled claims, {limits field, value, …},
        -- {priority band, jobs in its rotations, …}}.
        local queued, tenants, byBand = {}, {}, {}
        for _, band in ipairs(redis.call('ZRANGE', K_BANDS, 0, -1)) do
            local inBand = 0
            for _, t in ipairs(redis.call('ZRANGE', band_key(band), 0, -1)) do
                if not queued[t] then tenants[#tenants + 1] = t; queued[t] = 0 end
                local n = redis.call('ZCARD', tenant_key(band, t))
                queued[t] = queued[t] + n
                inBand = inBand + n
            end
            byBand[#byBand + 1] = band; byBand[#byBand + 1] = inBand
        end
        local byTenant, parked = {}, {}
        for _, t in ipairs(tenants) do byTenant[#byTenant + 1] = t; byTenant[#byTenant + 1] = queued[t] end
        for _, subject in ipairs(redis.call('SMEMBERS', K_PARKED)) do
            parked[#parked + 1] = subject; parked[#parked + 1] = redis.call('ZCARD', blocked_key(subject))
        end
        return { byTenant, redis.call('HGETALL', K_RUNNING), parked,
            tonumber(redis.call('HGET', K_META, 'throttled_total')) or 0, redis.call('HGETALL', K_LIMITS), byBand }
        """#)
}
