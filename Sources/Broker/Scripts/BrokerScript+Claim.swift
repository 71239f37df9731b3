extension BrokerScript {
    /// Lua shared by every script after `fairness`: promoting due jobs and claiming, band by
    /// band and tenant by tenant (the order is described on `fairness`).
    static let claiming = #"""
        local function promote_due(now)
            local due = redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now, 'LIMIT', 0, 1000)
            for _, id in ipairs(due) do
                local jk = K_JOB .. id
                redis.call('ZREM', K_DELAYED, id)
                if redis.call('EXISTS', jk) == 1 then
                    local since = tonumber(redis.call('HGET', jk, 'scheduled_ms')) or now
                    redis.call('HSET', jk, 'state', 'queued')
                    make_ready(id, jk, since, now)
                    emit(id, 'queued')
                end
            end
            -- Subjects whose rate window has room again: as many parked jobs as it admits rejoin,
            -- and the subject wakes again while some still wait.
            local woken = redis.call('ZRANGEBYSCORE', K_WAKE, '-inf', now, 'LIMIT', 0, 100)
            for _, subject in ipairs(woken) do
                redis.call('ZREM', K_WAKE, subject)
                local allowed, at = rate_room(subject, now)
                if allowed > 0 then
                    unpark(subject, math.min(allowed, 1000), now)
                    at = now + 1
                end
                if at and redis.call('EXISTS', blocked_key(subject)) == 1 then
                    redis.call('ZADD', K_WAKE, 'LT', at, subject)
                end
            end
        end

        -- Starts tenant `t`'s own cap and rate allow now (checked once per script call); with
        -- fair share off (`ALL`) tenant limits are checked job by job in `start`.
        local function tenant_room(t, now, st)
            local free = st.room[t]
            if free ~= nil then return free end
            if t == ALL then
                free = math.huge
            else
                local at
                free, at = room('tenant:' .. t, now)
                if at and (not st.wake or at < st.wake) then st.wake = at end
            end
            st.room[t] = free
            return free
        end

        -- This band's rotation (its first 64 tenants): those whose cap and rate allow a start,
        -- each {tenant, pass, w, room, left (jobs queued)}. A tenant held back by its cap or rate
        -- kept its pass meanwhile: it resumes at the band's virtual time, not with a run of
        -- turns to catch up.
        local function rotation(band, now, st)
            local entries = redis.call('ZRANGE', band_key(band), 0, 63, 'WITHSCORES')
            local vt = tonumber(redis.call('HGET', K_FAIR, 'vt:' .. band)) or 0
            local members = {}
            for i = 1, #entries, 2 do
                local t = entries[i]
                local left = redis.call('ZCARD', tenant_key(band, t))
                if left == 0 then
                    leave(band, t)  -- nothing queued after all: out of the rotation
                else
                    local free = tenant_room(t, now, st)
                    if free > 0 then
                        members[#members + 1] = { tenant = t, pass = math.max(tonumber(entries[i + 1]), vt),
                            w = weight(t), room = free, left = left, turns = 0 }
                    end
                end
            end
            return members
        end

        -- A band's oldest job by score (its age with its priority, as `ready` orders them).
        local function head(band)
            local best = nil
            for _, t in ipairs(redis.call('ZRANGE', band_key(band), 0, 63)) do
                local first = redis.call('ZRANGE', tenant_key(band, t), 0, 0, 'WITHSCORES')
                if first[2] and (not best or tonumber(first[2]) < best) then best = tonumber(first[2]) end
            end
            return best
        end

        -- The highest band with a tenant that may start a job, unless a lower one is starving —
        -- it has started no job for (priority gap × aging), and its oldest job has waited that
        -- much longer than the higher band's — then the lowest such. A backlog's age alone does
        -- not put it ahead: it gets a turn per gap × aging. Returns the band and its rotation.
        local function pick(now, st)
            local bands = redis.call('ZRANGE', K_BANDS, 0, -1)
            local chosen, members, top, top_head = nil, nil, nil, nil
            for i = 1, #bands do
                local band = bands[i]
                if not chosen then
                    local found = rotation(band, now, st)
                    if #found > 0 then chosen, members, top = band, found, tonumber(band) end
                else
                    local served = tonumber(redis.call('HGET', K_FAIR, 'served:' .. band)) or now
                    if now - served >= (top - tonumber(band)) * CFG_AGING_MS then
                        top_head = top_head or head(tostring(top)) or math.huge
                        local mine = head(band)
                        if mine and mine < top_head then
                            local found = rotation(band, now, st)
                            if #found > 0 then chosen, members = band, found end
                        end
                    end
                end
            end
            return chosen, members
        end

        -- Up to `want` turns of a band's rotation in stride order: each goes to the member with
        -- the lowest pass (pass + turns ÷ weight; ties by name, as the rotation's zset orders
        -- them) that has room and jobs left. Returns the turns, each {member, pass at the turn}.
        local function plan(members, want)
            local turns = {}
            while #turns < want do
                local best = nil
                for _, m in ipairs(members) do
                    if m.turns < m.room and m.turns < m.left
                        and (not best or m.pass < best.pass or (m.pass == best.pass and m.tenant < best.tenant)) then
                        best = m
                    end
                end
                if not best then break end
                turns[#turns + 1] = { member = best, pass = best.pass }
                best.turns = best.turns + 1
                best.pass = best.pass + 1 / best.w
            end
            return turns
        end

        -- Starts popped job `id` from rotation member `rotation` for `worker`, unless it ends
        -- here (canceled, waited too long), is gone, or its kind or key subject (or, with fair
        -- share off, its tenant) is full: then it is parked. True when it started. A job it takes
        -- off the queue is added to `taken`. `seq`: the attempt id it gets (the claim reserves
        -- one per turn in one call; an id a turn does not use is skipped).
        local function start(id, score, rotation, worker, now, out, taken, seq)
            local jk = K_JOB .. id
            local f = redis.call('HMGET', jk, 'kind', 'tenant', 'payload', 'priority', 'attempts',
                'max_attempts', 'lease_ms', 'checkpoint', 'created_ms', 'wait_timeout_ms', 'cancel_requested',
                'trace', 'concurrency_key', 'parent', 'started_ms')
            local subjects = nil
            if f[1] and f[11] ~= '1' and limited() then
                subjects = { 'queue', 'tenant:' .. (f[2] or ''), 'kind:' .. f[1] }
                if f[13] then subjects[4] = 'key:' .. f[13] end
                for i = rotation == ALL and 2 or 3, #subjects do
                    local free, at = room(subjects[i], now)
                    if free <= 0 then
                        park(id, jk, subjects[i], score, at)
                        return false
                    end
                end
            end
            -- Out of `queued_at` with the claim's other jobs, in one call at its end.
            taken[#taken + 1] = id
            if not f[1] then return false end
            local wait_limit = tonumber(f[10]) or 0
            if f[11] == '1' then
                finish(id, jk, 'canceled', now, f[14], 'queued')
                return false
            elseif wait_limit > 0 and now - tonumber(f[9]) > wait_limit then
                redis.call('HSET', jk, 'error_code', 'wait_timeout', 'error_retriable', '0',
                    'error_message', 'job waited longer than its wait timeout of ' .. wait_limit .. ' ms')
                finish(id, jk, 'failed', now, f[14], 'queued')
                return false
            end
            tally(f[14], 'queued', 'running')
            if subjects then hold(jk, subjects, seq, now) end
            local attempts = (tonumber(f[5]) or 0) + 1
            local deadline = now + tonumber(f[7])
            local now_s, deadline_s, attempts_s = str(now), str(deadline), str(attempts)
            if f[15] then
                redis.call('HSET', jk, 'state', 'starting', 'attempt_id', seq, 'attempts', attempts_s,
                    'worker', worker, 'claimed_ms', now_s, 'lease_deadline_ms', deadline_s)
            else
                redis.call('HSET', jk, 'state', 'starting', 'attempt_id', seq, 'attempts', attempts_s,
                    'worker', worker, 'claimed_ms', now_s, 'lease_deadline_ms', deadline_s, 'started_ms', now_s)
            end
            zadd_later(K_ACTIVE, deadline_s, id)
            emit(id, 'starting', attempts_s)
            local j = #out
            out[j + C_ID] = id; out[j + C_ATTEMPT_ID] = seq; out[j + C_ATTEMPTS] = attempts
            out[j + C_MAX_ATTEMPTS] = f[6]; out[j + C_KIND] = f[1]; out[j + C_TENANT] = f[2]
            out[j + C_PAYLOAD] = f[3]; out[j + C_CHECKPOINT] = f[8] or ''
            out[j + C_LEASE_DEADLINE_MS] = deadline; out[j + C_LEASE_MS] = f[7]
            out[j + C_CREATED_MS] = f[9]; out[j + C_PRIORITY] = f[4]; out[j + C_CLAIMED_MS] = now
            out[j + C_TRACE] = f[12] or ''
            return true
        end

        -- How many turns a tenant at `pass` takes before one at `other_pass` gets its next: its
        -- k-th job (k from 0) comes first while pass + k ÷ weight is lower, or equal and its name
        -- sorts first (as the rotation's zset orders ties). At least one (`standing` counts the
        -- positions with it, and handles none).
        local function turns_before(pass, w, tenant, other_pass, other)
            local x = (other_pass - pass) * w
            local whole = math.floor(x + 0.5)
            if math.abs(x - whole) < 1e-9 then
                return math.max(1, whole + (tenant < other and 1 or 0))
            end
            return math.max(1, math.ceil(x))
        end

        -- A claim's preference (ClaimPreference) from its two arguments, nil for none: the set of
        -- affinities the worker holds, and how much younger (ms) a job it takes ahead of an older
        -- one may be.
        local function preference(list, pass_ms)
            if not list or list == '' then return nil end
            local set = {}
            for a in string.gmatch(list, '[^\n]+') do set[a] = true end
            return { set = set, pass_ms = tonumber(pass_ms) or 0 }
        end

        -- Takes one job of tenant key `tk` for a worker with preference `prefer`: the first of the
        -- window's oldest whose affinity it holds or that has none and that was accepted less than
        -- pass_ms after the oldest, else the oldest. Returns {id, score}, as ZPOPMIN would.
        local function take_preferred(tk, prefer, now)
            local window = redis.call('ZRANGE', tk, 0, PREFER_WINDOW - 1, 'WITHSCORES')
            if #window == 0 then return window end
            local pick = 1
            local head = redis.call('HMGET', K_JOB .. window[1], 'affinity', 'created_ms')
            if head[1] and not prefer.set[head[1]] then
                local limit = (tonumber(head[2]) or now) + prefer.pass_ms
                for i = 3, #window, 2 do
                    local f = redis.call('HMGET', K_JOB .. window[i], 'affinity', 'created_ms')
                    if (tonumber(f[2]) or now) >= limit then break end
                    if not f[1] or prefer.set[f[1]] then
                        pick = i
                        break
                    end
                end
            end
            redis.call('ZREM', tk, window[pick])
            return { window[pick], window[pick + 1] }
        end

        -- Claims up to `max` jobs for `worker`, writing the reply fields of each to `out`: the
        -- band's turns are planned in memory, then each tenant's jobs are popped at once and
        -- started in turn order, so alternating tenants cost no more round trips inside Redis
        -- than one tenant alone.
        local function claim(max, worker, now, out, st, prefer)
            local n = 0
            local free, at = room('queue', now)
            if at then st.wake = at end
            if free < max then max = free end
            local rounds = 0
            local taken = {}
            while n < max and rounds < 16 do
                rounds = rounds + 1
                local band, members = pick(now, st)
                if not band then break end
                local turns = plan(members, max - n)
                if #turns == 0 then break end
                for _, m in ipairs(members) do
                    m.started = 0
                    m.next = 1
                    if m.turns == 1 and prefer then
                        m.jobs = take_preferred(tenant_key(band, m.tenant), prefer, now)
                    elseif m.turns > 0 then
                        m.jobs = redis.call('ZPOPMIN', tenant_key(band, m.tenant), m.turns)
                    end
                end
                local vt = nil
                local seq = redis.call('HINCRBY', K_META, 'attempt_seq', #turns) - #turns
                for _, turn in ipairs(turns) do
                    local m = turn.member
                    local i = m.next
                    m.next = i + 2
                    seq = seq + 1
                    if m.jobs[i]
                        and start(m.jobs[i], m.jobs[i + 1], m.tenant, worker, now, out, taken, string.format('%d', seq))
                    then
                        m.started = m.started + 1
                        n = n + 1
                        vt = turn.pass
                    end
                end
                for _, m in ipairs(members) do
                    if m.turns > 0 then
                        st.room[m.tenant] = st.room[m.tenant] - m.started
                        local tk = tenant_key(band, m.tenant)
                        if redis.call('EXISTS', tk) == 0 then
                            leave(band, m.tenant)
                        else
                            -- Charged for the jobs it started, from the pass it had at its first turn.
                            redis.call('ZADD', band_key(band), m.pass - (m.turns - m.started) / m.w, m.tenant)
                        end
                    end
                end
                if vt then redis.call('HSET', K_FAIR, 'vt:' .. band, vt, 'served:' .. band, now) end
            end
            if #taken > 0 then redis.call('ZREM', K_QUEUED_AT, unpack(taken)) end
            return n
        end

        -- Reply header of claiming scripts: paused flag, ms until a delayed job is due or a rate
        -- admits a start (-1: none), then CLAIM_FIELDS fields per claimed job.
        local function claim_reply(max, worker, now, results, prefer)
            local out = results or {}
            local header = #out
            out[header + 1] = 0; out[header + 2] = -1
            if redis.call('HGET', K_META, 'paused') == '1' then
                out[header + 1] = 1
                return out
            end
            if max > 0 then
                redis.call('ZADD', K_CONSUMERS, now, worker)
                promote_due(now)
                local st = { room = {} }
                if claim(max, worker, now, out, st, prefer) == 0 then
                    local due = st.wake
                    for _, key in ipairs({ K_DELAYED, K_WAKE }) do
                        local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
                        if first[2] and (not due or tonumber(first[2]) < due) then due = tonumber(first[2]) end
                    end
                    if due then out[header + 2] = math.max(0, due - now) end
                end
            end
            return out
        end

        """#
}
