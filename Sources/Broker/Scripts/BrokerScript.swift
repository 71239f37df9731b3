import RedisClient

/// The Lua scripts that make every broker state change atomic.
///
/// Each is the part of the shared Lua it uses — the job layout generated from `JobField` and
/// `ClaimField` (`BrokerScript+Layout.swift`), the prelude (key layout, ARGV header and helpers,
/// documented in `BrokerScript+Prelude.swift`), fair share and claiming — linked by
/// `BrokerScript+Linking.swift`, then its own body, whose extra KEYS and ARGV are documented at
/// its top.
enum BrokerScript {
    /// Number of reply fields per claimed job, in the order `claim()` writes them.
    static let claimFields = ClaimField.allCases.count
    /// ARGV slots per job in `enqueue`.
    static let enqueueFields = JobField.allCases.count

    static let enqueue = make(
        "enqueue",
        #"""
        -- Enqueues new jobs; a job whose idempotency key or id is already known is not added again.
        -- ARGV[A+1]  number of jobs; then JOB_FIELDS slots per job, in JobField order (F_…).
        -- Reply: per job, {id, 1 if added or 0 if it already existed}.
        local now = now_ms()
        local count = tonumber(ARGV[A + 1])
        local out = {}
        local ready, added = 0, 0
        for j = 0, count - 1 do
            local b = A + 1 + j * JOB_FIELDS
            local id, tenant, idem = ARGV[b + F_ID], ARGV[b + F_TENANT], ARGV[b + F_IDEMPOTENCY_KEY]
            local existing = nil
            if idem ~= '' then
                local ik = K_IDEM .. tenant .. ':' .. idem
                existing = redis.call('GET', ik)
                if not existing then redis.call('SET', ik, id, 'EX', CFG_IDEM_TTL) end
            end
            local jk = K_JOB .. id
            local present = redis.call('EXISTS', jk) == 1
            -- A key naming this very job whose hash is gone (a restore) does not block it.
            if existing == id and not present then existing = nil end
            if not existing and present then existing = id end
            if existing then
                out[#out + 1] = existing; out[#out + 1] = 0
            else
                local delay = tonumber(ARGV[b + F_DELAY_MS]) or 0
                local created = ARGV[b + F_CREATED_MS]
                write_job(jk, b, created ~= '' and created or str(now))
                tally(ARGV[b + F_PARENT], nil, 'queued')
                if delay > 0 then
                    redis.call('HSET', jk, 'scheduled_ms', str(now + delay))
                    redis.call('ZADD', K_DELAYED, str(now + delay), id)
                else
                    make_ready(id, jk, now, now, ARGV[b + F_PRIORITY], ARGV[b + F_TENANT], true)
                    ready = ready + 1
                end
                emit(id, 'queued')
                added = added + 1
                out[#out + 1] = id; out[#out + 1] = 1
            end
        end
        if added > 0 then count_later('enqueued_total', added) end
        signal(ready)
        return out
        """#)

    static let claim = make(
        "claim",
        #"""
        -- Promotes due delayed jobs and claims up to ARGV[A+1] ready jobs for worker ARGV[A+2].
        -- ARGV[A+3], ARGV[A+4] (optional): the worker's ClaimPreference, affinities one per line
        -- and the pass-over time in ms.
        -- Reply: paused (0/1), ms until the next delayed job (-1 none), claimFields per job.
        return claim_reply(tonumber(ARGV[A + 1]), ARGV[A + 2], now_ms(), nil, preference(ARGV[A + 3], ARGV[A + 4]))
        """#)

    static let complete = make(
        "complete",
        #"""
        -- Marks jobs succeeded, then claims up to ARGV[A+1] more for worker ARGV[A+2]: one round
        -- trip per batch on the hot path.
        -- KEYS[13…]  job hashes, one per completion
        -- ARGV[A+3…] per completion: attempt_id, result ('' for none)
        -- Reply: n, then per completion 'OK' | 'VJ_STALE_ATTEMPT' | 'VJ_NOT_FOUND', then the claim reply.
        local now = now_ms()
        local n = #KEYS - 12
        local out = {n}
        local runs, done = {}, {}
        for i = 1, n do
            local jk = KEYS[12 + i]
            local attempt, result = ARGV[A + 1 + 2 * i], ARGV[A + 2 + 2 * i]
            local f = redis.call('HMGET', jk, 'state', 'attempt_id', 'kind', 'claimed_ms', 'holds', 'parent')
            if not f[1] then
                out[#out + 1] = 'VJ_NOT_FOUND'
            elseif f[2] ~= attempt or (f[1] ~= 'starting' and f[1] ~= 'processing') then
                out[#out + 1] = 'VJ_STALE_ATTEMPT'
            else
                local id = string.sub(jk, #K_JOB + 1)
                done[#done + 1] = id
                release(jk, f[5], now)
                local extra = { 'progress', '1' }
                if result ~= '' then extra[3], extra[4] = 'result', result end
                finish(id, jk, 'succeeded', now, f[6], 'running', extra)
                out[#out + 1] = 'OK'
                local kind = f[3] or ''
                runs[kind] = runs[kind] or {}
                table.insert(runs[kind], str(now - (tonumber(f[4]) or now)))
            end
        end
        if #done > 0 then redis.call('ZREM', K_ACTIVE, unpack(done)) end
        -- Recent run times per kind and for the queue, and the queue's completions per second
        -- (each window weighing half of the average, so it follows a change within a few
        -- windows): what queue positions turn into ETAs. A window lasts 200 ms, or less once it
        -- holds 1,000 completions (at least 20 ms): enough to be precise, and a fast queue's
        -- average then follows a change in tens of milliseconds rather than half a second.
        if next(runs) then
            local r = redis.call('HMGET', K_META, 'rate_at', 'rate_total', 'succeeded_total', 'rate')
            -- (this call's completions are counted at its end)
            local at, total = tonumber(r[1]) or 0, (tonumber(r[3]) or 0) + (COUNTS['succeeded_total'] or 0)
            local elapsed, counted = now - at, total - (tonumber(r[2]) or 0)
            if elapsed >= 200 or (elapsed >= 20 and counted >= 1000) then
                if at > 0 and elapsed < 5000 then
                    local window = counted * 1000 / elapsed
                    local average = tonumber(r[4])
                    redis.call('HSET', K_META, 'rate', average and (average + window) / 2 or window)
                else
                    redis.call('HDEL', K_META, 'rate')
                end
                redis.call('HSET', K_META, 'rate_at', now, 'rate_total', total)
            end
        end
        for kind, ms in pairs(runs) do
            for _, key in ipairs({ BASE .. 'durations:' .. kind, BASE .. 'durations' }) do
                redis.call('LPUSH', key, unpack(ms))
                redis.call('LTRIM', key, 0, 255)
            end
        end
        return claim_reply(tonumber(ARGV[A + 1]), ARGV[A + 2], now, out)
        """#)

    static let fail = make(
        "fail",
        #"""
        -- Ends the current attempt of a job without success.
        -- KEYS[13]  the job hash
        -- ARGV[A+1] attempt_id   ARGV[A+2] mode: error | retry | release | canceled
        -- ARGV[A+3] error code   ARGV[A+4] message   ARGV[A+5] retriable (1/0)
        -- ARGV[A+6] delay ms before the next attempt (error and retry)
        -- ARGV[A+7] fault domain the attempt took down ('' none)   ARGV[A+8] distinct domains
        -- that make the job dead at once   ARGV[A+9] the failed attempt's response, kept as
        -- the result ('' none)
        -- `release` gives the attempt back unspent (a drained worker); a job with a cancel request
        -- is canceled whatever the mode.
        -- Reply: the job's new state, or VJ_STALE_ATTEMPT / VJ_NOT_FOUND.
        local jk = KEYS[13]
        local refused = fence(jk, ARGV[A + 1])
        if refused then return redis.error_reply(refused) end
        local now = now_ms()
        local id = string.sub(jk, #K_JOB + 1)
        local mode, retriable, delay = ARGV[A + 2], ARGV[A + 5], tonumber(ARGV[A + 6]) or 0
        redis.call('ZREM', K_ACTIVE, id)
        local f = redis.call('HMGET', jk, 'attempts', 'max_attempts', 'cancel_requested', 'created_ms', 'holds',
            'parent')
        release(jk, f[5], now)
        if mode ~= 'release' then
            -- Where each ended attempt ran: 'attempt<TAB>worker<TAB>error code' lines, the last 20
            -- (kept through a replay; the success path never pays for it).
            local log = redis.call('HGET', jk, 'attempt_log') or ''
            log = log .. (log == '' and '' or '\n') .. (f[1] or '') .. '\t'
                .. (redis.call('HGET', jk, 'worker') or '') .. '\t' .. (ARGV[A + 3] or '')
            local lines = select(2, string.gsub(log, '\n', '')) + 1
            if lines > 20 then log = string.sub(log, string.find(log, '\n', 1, true) + 1) end
            redis.call('HSET', jk, 'attempt_log', log)
            redis.call('HSET', jk, 'error_code', ARGV[A + 3], 'error_message', ARGV[A + 4], 'error_retriable', retriable)
            if (ARGV[A + 9] or '') ~= '' then
                redis.call('HSET', jk, 'result', ARGV[A + 9])
            else
                redis.call('HDEL', jk, 'result')
            end
        end
        if f[3] == '1' or mode == 'canceled' then
            finish(id, jk, 'canceled', now, f[6], 'running')
            return 'canceled'
        end
        if mode == 'release' then
            tally(f[6], 'running', 'queued')
            redis.call('HINCRBY', jk, 'attempts', -1)
            redis.call('HSET', jk, 'state', 'queued')
            redis.call('HDEL', jk, 'lease_deadline_ms')
            make_ready(id, jk, tonumber(f[4]) or now, now)
            emit(id, 'queued')
            signal(1)
            return 'queued'
        end
        local domain = ARGV[A + 7] or ''
        if domain ~= '' then
            -- Newline-separated distinct domains: a job that crashed backends on two GPUs is
            -- poison, and another attempt would only take down a third.
            local seen = redis.call('HGET', jk, 'fault_domains') or ''
            local count, known = 0, false
            for name in string.gmatch(seen, '[^\n]+') do
                count = count + 1
                if name == domain then known = true end
            end
            if not known then
                seen = seen == '' and domain or (seen .. '\n' .. domain)
                count = count + 1
                redis.call('HSET', jk, 'fault_domains', seen)
            end
            if count >= (tonumber(ARGV[A + 8]) or 2) then
                redis.call('HSET', jk, 'error_message', ARGV[A + 4] .. ' (it took down ' .. count
                    .. ' backends: ' .. string.gsub(seen, '\n', ', ') .. '; dead without further attempts)')
                bury(id, jk, now, f[6], 'running')
                return 'dead'
            end
        end
        local attempts, max = tonumber(f[1]) or 0, tonumber(f[2]) or 1
        if mode == 'retry' or retriable == '1' then
            if attempts < max then
                redis.call('HSET', jk, 'state', 'retrying', 'scheduled_ms', now + delay)
                redis.call('HDEL', jk, 'lease_deadline_ms')
                redis.call('ZADD', K_DELAYED, now + delay, id)
                redis.call('HINCRBY', K_META, 'retried_total', 1)
                tally(f[6], 'running', 'queued')
                emit(id, 'retrying')
                return 'retrying'
            end
            bury(id, jk, now, f[6], 'running')
            return 'dead'
        end
        finish(id, jk, 'failed', now, f[6], 'running')
        return 'failed'
        """#)

    static let heartbeat = make(
        "heartbeat",
        #"""
        -- Extends the lease of the current attempt and, optionally, records progress.
        -- KEYS[13]  the job hash
        -- ARGV[A+1] attempt_id   ARGV[A+2] lease ms (0: the job's own)
        -- ARGV[A+3] progress fraction ('' keeps it)   ARGV[A+4] progress message
        -- ARGV[A+5] 1 to store ARGV[A+6] as the checkpoint
        -- Reply: {lease deadline ms, cancel requested (0/1)} or VJ_STALE_ATTEMPT / VJ_NOT_FOUND.
        local jk = KEYS[13]
        local refused = fence(jk, ARGV[A + 1])
        if refused then return redis.error_reply(refused) end
        local now = now_ms()
        local id = string.sub(jk, #K_JOB + 1)
        local f = redis.call('HMGET', jk, 'lease_ms', 'cancel_requested', 'state', 'milestones', 'milestone')
        local lease = tonumber(ARGV[A + 2]) or 0
        if lease <= 0 then lease = tonumber(f[1]) end
        local deadline = now + lease
        redis.call('ZADD', K_ACTIVE, 'XX', deadline, id)
        redis.call('HSET', jk, 'lease_deadline_ms', deadline, 'heartbeat_ms', now)
        if f[3] == 'starting' then
            redis.call('HSET', jk, 'state', 'processing')
            emit(id, 'processing')
        end
        if ARGV[A + 3] ~= '' then
            redis.call('HSET', jk, 'progress', ARGV[A + 3], 'progress_message', ARGV[A + 4])
            emit(id, 'progress')
            -- A job whose webhook asks for progress: 25, 50 and 75 % each reach the outbox once
            -- (the record sync turns them into deliveries), whatever the attempt.
            if f[4] == '1' and CFG_OUTBOX then
                local reached = math.floor((tonumber(ARGV[A + 3]) or 0) * 4) * 25
                if reached > 75 then reached = 75 end
                if reached > (tonumber(f[5]) or 0) then
                    redis.call('HSET', jk, 'milestone', reached)
                    redis.call('LPUSH', K_OUTBOX, cjson.encode({ id = id, milestone = reached, at = now }))
                end
            end
        end
        if ARGV[A + 5] == '1' then redis.call('HSET', jk, 'checkpoint', ARGV[A + 6]) end
        return {deadline, f[2] == '1' and 1 or 0}
        """#)

    static let cancel = make(
        "cancel",
        #"""
        -- Cancels a job: a waiting one at once, a running one through a flag its next heartbeat
        -- returns and an entry in the queue's cancel stream, which its worker follows.
        -- KEYS[13]  the job hash
        -- Reply: 'canceled', 'cancel_requested', or 'ended:<state>' for a job that had already
        -- ended; VJ_NOT_FOUND.
        local jk = KEYS[13]
        local state = redis.call('HGET', jk, 'state')
        if not state then return redis.error_reply('VJ_NOT_FOUND') end
        local id = string.sub(jk, #K_JOB + 1)
        local now = now_ms()
        if state == 'queued' or state == 'retrying' or state == 'dead' then
            unready(id, jk)
            redis.call('ZREM', K_DELAYED, id)
            redis.call('ZREM', K_DEAD, id)
            finish(id, jk, 'canceled', now, redis.call('HGET', jk, 'parent'), state == 'dead' and 'dead' or 'queued')
            return 'canceled'
        end
        if state == 'starting' or state == 'processing' then
            if redis.call('HGET', jk, 'cancel_requested') ~= '1' then
                redis.call('HSET', jk, 'cancel_requested', '1')
                redis.call('XADD', BASE .. 'cancels', 'MAXLEN', '~', 1000, '*', 'job', id, 'state', 'cancel_requested',
                    'attempt', redis.call('HGET', jk, 'attempts') or '')
                emit(id, 'cancel_requested')
            end
            return 'cancel_requested'
        end
        return 'ended:' .. state
        """#)

    static let recover = make(
        "recover",
        #"""
        -- Recovers jobs whose lease ran out (their worker died or stalled): back to ready, or dead
        -- when out of attempts. Their old attempt ids are refused from now on.
        -- ARGV[A+1] most jobs to recover in this call
        -- Reply: {recovered count, ms until the next lease deadline (-1 none)}.
        local now = now_ms()
        -- Jobs a broker before fair share left in its ready index join their rotations, once.
        for _, id in ipairs(redis.call('ZRANGE', K_READY, 0, 999)) do
            local jk = K_JOB .. id
            redis.call('ZREM', K_READY, id)
            local f = redis.call('HMGET', jk, 'state', 'priority', 'tenant', 'created_ms')
            if f[1] == 'queued' then
                local since = tonumber(redis.call('ZSCORE', K_QUEUED_AT, id)) or tonumber(f[4]) or now
                local priority = tonumber(f[2]) or 0
                redis.call('ZADD', K_QUEUED_AT, 'NX', since, id)
                join(id, member(f[3] or ''), tostring(priority), since - priority * CFG_AGING_MS, now)
            end
        end
        local expired = redis.call('ZRANGEBYSCORE', K_ACTIVE, '-inf', now, 'LIMIT', 0, tonumber(ARGV[A + 1]))
        local requeued = 0
        for _, id in ipairs(expired) do
            local jk = K_JOB .. id
            redis.call('ZREM', K_ACTIVE, id)
            local f = redis.call('HMGET', jk, 'attempts', 'max_attempts', 'cancel_requested', 'created_ms', 'worker',
                'holds', 'parent')
            if f[1] then
                release(jk, f[6], now)
                redis.call('HINCRBY', K_META, 'recovered_total', 1)
                redis.call('HSET', jk, 'error_code', 'lease_expired', 'error_retriable', '1',
                    'error_message', 'the lease of worker ' .. (f[5] or '?') .. ' expired without a heartbeat')
                if f[3] == '1' then
                    finish(id, jk, 'canceled', now, f[7], 'running')
                elseif (tonumber(f[1]) or 0) >= (tonumber(f[2]) or 1) then
                    bury(id, jk, now, f[7], 'running')
                else
                    tally(f[7], 'running', 'queued')
                    redis.call('HSET', jk, 'state', 'queued')
                    redis.call('HDEL', jk, 'lease_deadline_ms')
                    make_ready(id, jk, tonumber(f[4]) or now, now)
                    emit(id, 'queued')
                    requeued = requeued + 1
                end
            end
        end
        signal(requeued)
        -- Workers that have not claimed for an hour no longer count as capacity.
        redis.call('ZREMRANGEBYSCORE', K_CONSUMERS, '-inf', now - 3600000)
        local next_deadline = redis.call('ZRANGE', K_ACTIVE, 0, 0, 'WITHSCORES')
        local wait = -1
        if next_deadline[2] then wait = math.max(0, tonumber(next_deadline[2]) - now) end
        return {#expired, wait}
        """#)

    static let replay = make(
        "replay",
        #"""
        -- Puts a dead job back in the queue with a fresh set of attempts.
        -- KEYS[13]  the job hash
        -- Reply: 'queued', or VJ_NOT_DEAD / VJ_NOT_FOUND.
        local jk = KEYS[13]
        local state = redis.call('HGET', jk, 'state')
        if not state then return redis.error_reply('VJ_NOT_FOUND') end
        if state ~= 'dead' then return redis.error_reply('VJ_NOT_DEAD job is ' .. state) end
        local id = string.sub(jk, #K_JOB + 1)
        local now = now_ms()
        redis.call('ZREM', K_DEAD, id)
        tally(redis.call('HGET', jk, 'parent'), 'dead', 'queued')
        redis.call('HSET', jk, 'state', 'queued', 'attempts', 0)
        redis.call('HDEL', jk, 'finished_ms', 'error_code', 'error_message', 'error_retriable', 'cancel_requested',
            'fault_domains')
        make_ready(id, jk, now, now)
        redis.call('HINCRBY', K_META, 'replayed_total', 1)
        emit(id, 'queued')
        record(id, jk, 'queued', now)
        signal(1)
        return 'queued'
        """#)

    static let setPaused = make(
        "set_paused",
        #"""
        -- Pauses (ARGV[A+1] = 1) or resumes (0) claiming from the queue; resuming wakes consumers.
        -- Reply: 1.
        if ARGV[A + 1] == '1' then
            redis.call('HSET', K_META, 'paused', '1')
        else
            redis.call('HDEL', K_META, 'paused')
            signal(CFG_SIGNAL_CAP)
        end
        return 1
        """#)

    static let all: [RedisScript] = [
        enqueue, claim, complete, fail, heartbeat, cancel, recover, replay, setPaused, setLimits, standing, share,
        reprioritize,
    ]

    /// A script: the shared Lua its body uses (`link`), then the body as a function whose
    /// result is returned once the writes it gathered are made (`flush_later`).
    static func make(_ name: String, _ body: String) -> RedisScript {
        RedisScript(
            name: name,
            source: link(body))
    }
}
