extension BrokerScript {
    /// Lua shared by every script after the prelude: the ready index that makes claims fair
    /// between tenants, and the caps and rates that hold jobs back.
    ///
    /// Keys (derived from the job prefix, so under the queue's hash tag, one slot):
    ///   bands        zset  band (a priority) → -priority: bands with a tenant in rotation
    ///   band:<b>     zset  tenant → pass: the rotation of band b (lowest pass is served next)
    ///   rt:<b>:<t>   zset  id → score: tenant t's ready jobs of priority b, oldest first
    ///   fair         hash  vt:<b> the band's virtual time (the pass last served),
    ///                      served:<b> when the band last started a job (ms)
    ///   limits       hash  weight:tenant:<t>, cap:<subject>, rate:<subject> ('n interval_ms');
    ///                      a subject's last segment may be `*` (`cap:tenant:*`: each tenant);
    ///                      fair 'off': one rotation (`:all`) for every tenant, plain priority
    ///                      and age order, tenant limits checked per job
    ///   running      hash  subject → running jobs, for the subjects with a cap
    ///   starts:<s>   zset  attempt → start ms: the subject's starts inside its rate window
    ///   blocked:<s>  zset  id → score: jobs parked because kind or key subject s was full
    ///   parked       set   subjects with parked jobs
    ///   wake         zset  subject → ms its rate window admits starts again
    ///   consumers    zset  worker → ms of its last claim (the queue's capacity, for ETAs)
    ///   durations:<kind>, durations:*   lists of the last run times (ms) of succeeded jobs
    ///
    /// Subjects: `queue`, `tenant:<t>`, `kind:<k>`, `key:<concurrency key>`. Queue and tenant
    /// limits are checked before a tenant is picked, so a tenant at its cap or rate is passed
    /// over; kind and key limits are checked per job, and a job over one is parked so the
    /// tenant's other jobs still run. Within a priority band the tenant furthest behind its
    /// weighted share runs next (stride scheduling: the exact, unit-cost form of weighted
    /// deficit round robin); a lower band that has not started a job for (priority gap ×
    /// aging), and whose oldest job has waited that much longer than the higher band's, goes
    /// first, so nothing starves.
    static let fairness = #"""
        local BASE = string.sub(K_JOB, 1, #K_JOB - 4)
        local K_BANDS, K_FAIR, K_LIMITS = BASE .. 'bands', BASE .. 'fair', BASE .. 'limits'
        local K_RUNNING, K_WAKE, K_PARKED = BASE .. 'running', BASE .. 'wake', BASE .. 'parked'
        local K_CONSUMERS = BASE .. 'consumers'
        local function band_key(band) return BASE .. 'band:' .. band end
        local function tenant_key(band, tenant) return BASE .. 'rt:' .. band .. ':' .. tenant end
        local function blocked_key(subject) return BASE .. 'blocked:' .. subject end
        local function starts_key(subject) return BASE .. 'starts:' .. subject end

        -- The queue's limits, read once per script call.
        local LIMITS, LIMITED = nil, false
        local function load_limits()
            if LIMITS then return end
            LIMITS = {}
            local flat = redis.call('HGETALL', K_LIMITS)
            for i = 1, #flat, 2 do
                LIMITS[flat[i]] = flat[i + 1]
                if string.sub(flat[i], 1, 4) == 'cap:' or string.sub(flat[i], 1, 5) == 'rate:' then LIMITED = true end
            end
        end

        -- The `what` (weight, cap, rate) of a subject: its own, else the nearest `…:*` above it.
        local function limit(what, subject)
            load_limits()
            local value = LIMITS[what .. ':' .. subject]
            local scope = subject
            while not value do
                local cut = string.find(scope, ':[^:]*$')
                if not cut then return nil end
                scope = string.sub(scope, 1, cut - 1)
                value = LIMITS[what .. ':' .. scope .. ':*']
            end
            return value
        end

        local function limited()
            load_limits()
            return LIMITED
        end

        -- The rotation member a tenant's jobs wait under: itself, or `:all` (no tenant has a
        -- ':') when the queue's fair share is off.
        local ALL = ':all'
        local function member(tenant)
            load_limits()
            if LIMITS['fair'] == 'off' then return ALL end
            return tenant
        end

        local function weight(tenant)
            local w = tonumber(limit('weight', 'tenant:' .. tenant)) or 1
            if w <= 0 then w = 1 end
            return w
        end

        -- Starts a subject's cap still allows (math.huge without a cap).
        local function cap_room(subject)
            local cap = limit('cap', subject)
            if not cap then return math.huge end
            return tonumber(cap) - (tonumber(redis.call('HGET', K_RUNNING, subject)) or 0)
        end

        -- Starts a subject's rate allows now — at most n in any interval, a sliding window over
        -- its recent starts — and, when none, the ms the next one is allowed.
        local function rate_room(subject, now)
            local rate = limit('rate', subject)
            if not rate then return math.huge, nil end
            local n, interval = string.match(rate, '^(%d+) (%d+)$')
            n, interval = tonumber(n), tonumber(interval)
            local key = starts_key(subject)
            redis.call('ZREMRANGEBYSCORE', key, '-inf', now - interval)
            local used = redis.call('ZCARD', key)
            if used < n then return n - used, nil end
            local oldest = redis.call('ZRANGE', key, used - n, used - n, 'WITHSCORES')
            return 0, tonumber(oldest[2]) + interval
        end

        -- Starts a subject allows now under its cap and rate, and when a rate admits the next.
        local function room(subject, now)
            if not limited() then return math.huge, nil end
            local free = cap_room(subject)
            if free <= 0 then return 0, nil end
            local allowed, at = rate_room(subject, now)
            if allowed < free then free = allowed end
            return free, at
        end

        -- A tenant enters a band's rotation at the band's virtual time: no credit for the time
        -- it had nothing queued, so a newcomer runs next but cannot take a run of turns.
        -- Tenants this script call already found or put in a band's rotation (a bulk enqueue
        -- looks once per tenant, not once per job); `leave` forgets them.
        -- `later`: the job's add waits for the end of the call (`zadd_later`; a bulk enqueue).
        local IN_ROTATION = {}
        local function join(id, tenant, band, score, now, later)
            if later then
                zadd_later(tenant_key(band, tenant), str(score), id)
            else
                redis.call('ZADD', tenant_key(band, tenant), str(score), id)
            end
            local bk = band_key(band)
            if IN_ROTATION[bk .. '\n' .. tenant] then return end
            IN_ROTATION[bk .. '\n' .. tenant] = true
            if not redis.call('ZSCORE', bk, tenant) then
                redis.call('ZADD', bk, tonumber(redis.call('HGET', K_FAIR, 'vt:' .. band)) or 0, tenant)
                if redis.call('ZADD', K_BANDS, 'NX', -tonumber(band), band) == 1 then
                    redis.call('HSET', K_FAIR, 'served:' .. band, now)
                end
            end
        end

        local function leave(band, tenant)
            local bk = band_key(band)
            IN_ROTATION[bk .. '\n' .. tenant] = nil
            redis.call('ZREM', bk, tenant)
            if redis.call('EXISTS', bk) == 0 then redis.call('ZREM', K_BANDS, band) end
        end

        -- Puts a job in the ready index: its tenant's set in its band (the score orders a
        -- tenant's jobs of one band by age) and `queued_at` (every ready job, by when it became
        -- eligible: `since`). A caller that has the job's priority and tenant passes them; `later`
        -- defers its zset adds to the end of the call (a bulk enqueue, which reads neither).
        local function make_ready(id, jk, since, now, priority, tenant, later)
            if not priority then
                local f = redis.call('HMGET', jk, 'priority', 'tenant')
                priority, tenant = f[1], f[2]
            end
            priority = tonumber(priority) or 0
            local score = since - priority * CFG_AGING_MS
            if later then
                zadd_later(K_QUEUED_AT, str(since), id)
            else
                redis.call('ZADD', K_QUEUED_AT, str(since), id)
            end
            join(id, member(tenant or ''), str(priority), score, now, later)
        end

        -- Takes a waiting job out of its rotation or its parked set (it stays in `queued_at`).
        local function unrotate(id, jk)
            local f = redis.call('HMGET', jk, 'priority', 'tenant', 'parked')
            if f[3] then
                redis.call('ZREM', blocked_key(f[3]), id)
                redis.call('HDEL', jk, 'parked')
                return
            end
            local band, tenant = tostring(tonumber(f[1]) or 0), member(f[2] or '')
            local tk = tenant_key(band, tenant)
            if redis.call('ZREM', tk, id) == 1 and redis.call('EXISTS', tk) == 0 then leave(band, tenant) end
        end

        -- Takes a waiting job out of the ready index, wherever it waits.
        local function unready(id, jk)
            redis.call('ZREM', K_QUEUED_AT, id)
            unrotate(id, jk)
        end

        -- A job whose kind or key subject is full waits aside in the subject's blocked set, so
        -- the tenant's other jobs are not held up behind it; `wake` (a rate) says when the
        -- subject admits starts again, a cap's release brings it back.
        local function park(id, jk, subject, score, wake)
            redis.call('ZADD', blocked_key(subject), score, id)
            redis.call('HSET', jk, 'parked', subject)
            redis.call('SADD', K_PARKED, subject)
            if wake then redis.call('ZADD', K_WAKE, 'LT', wake, subject) end
            redis.call('HINCRBY', K_META, 'throttled_total', 1)
        end

        -- Returns up to `count` of a subject's parked jobs, oldest first, to their tenants.
        local function unpark(subject, count, now)
            local key = blocked_key(subject)
            local ids = redis.call('ZPOPMIN', key, count)
            for i = 1, #ids, 2 do
                local jk = K_JOB .. ids[i]
                local f = redis.call('HMGET', jk, 'priority', 'tenant', 'state')
                redis.call('HDEL', jk, 'parked')
                if f[3] == 'queued' then
                    join(ids[i], member(f[2] or ''), tostring(tonumber(f[1]) or 0), tonumber(ids[i + 1]), now)
                end
            end
            if redis.call('EXISTS', key) == 0 then redis.call('SREM', K_PARKED, subject) end
            return #ids / 2
        end

        -- Counts a started attempt against its capped subjects and in the rate windows it falls
        -- under; the capped ones are kept on the job, so its end releases exactly those.
        local function hold(jk, subjects, attempt, now)
            local held = nil
            for _, s in ipairs(subjects) do
                if limit('cap', s) then
                    redis.call('HINCRBY', K_RUNNING, s, 1)
                    held = held and (held .. '\n' .. s) or s
                end
                local rate = limit('rate', s)
                if rate then
                    local key = starts_key(s)
                    redis.call('ZADD', key, now, attempt)
                    redis.call('PEXPIRE', key, tonumber(string.match(rate, ' (%d+)$')) + 1000)
                end
            end
            if held then redis.call('HSET', jk, 'holds', held) end
        end

        -- Gives back the slots an attempt held (it ended, was released or its lease expired) and
        -- lets a parked job of each subject take its place.
        local function release(jk, held, now)
            if not held then return end
            redis.call('HDEL', jk, 'holds')
            for s in string.gmatch(held, '[^\n]+') do
                if redis.call('HINCRBY', K_RUNNING, s, -1) <= 0 then redis.call('HDEL', K_RUNNING, s) end
                unpark(s, 1, now)
            end
            signal(1)
        end

        """#
}
