-- stream-recovery: stream sessions of OBS_STR and the restart of a dropped stream.
--   obs.stream_state started      -> open a stream session (store.stream_session_opened), which
--                                    knows where it starts in the day's stream timeline
--   OBS reconnecting / reconnected -> close the session / open a new one (OBS retries by itself)
--   every tag_every seconds       -> tag the events received since with the session's start and
--                                    timeline position, so str_offset_ms runs on across sessions
--   stream stopped / disconnected -> close the session with the reason and, unless the operator
--                                    stopped it (operator_stop_event), restart the stream with
--                                    back-off: restart_attempts tries, the first after
--                                    restart_first_delay s, each next one restart_factor times
--                                    longer, at most restart_max_delay s; giving up is reported once
local cfg = config()

local str = obs.connection(cfg.stream_connection)

local STARTED = "OBS_WEBSOCKET_OUTPUT_STARTED"
local STOPPED = "OBS_WEBSOCKET_OUTPUT_STOPPED"
-- OBS's own reconnection (its "Automatically reconnect" setting): the stream is interrupted, OBS
-- retries by itself; if it gives up, STOPPED follows and this package restarts the stream.
local RECONNECTING = "OBS_WEBSOCKET_OUTPUT_RECONNECTING"
local RECONNECTED = "OBS_WEBSOCKET_OUTPUT_RECONNECTED"

-- The session under way: {id, started, timeline_start_ms, tagged_until, tag_timer}; nil when none.
local session = nil
-- The restart under way: {attempt, timer, waiting (a start was asked, its outcome not yet seen)}.
local restart = nil
local operator_stopped = false
-- store.stream_session_opened and store.get wait: meanwhile another handler must not open a second session.
local opening = false

local function ours(ev)
  return ev.data.connection == cfg.stream_connection
end

-- The open session is kept in the package's store data, so a host restarted while OBS streams on
-- continues it (see adopt_or_close) instead of losing its place in the day's timeline.
local function remember()
  if not session then
    store.set("open_session", nil)
    return
  end
  store.set("open_session", { id = session.id, started = session.started, timeline_start_ms = session.timeline_start_ms,
                              tagged_until = session.tagged_until })
end

local function tag_until(to)
  if not session or to <= session.tagged_until then return end
  local ok, err = store.tag { since = session.tagged_until, to = to, stream_started = session.started,
                              stream_timeline_start_ms = session.timeline_start_ms }
  if not ok then
    log.warn("stream-recovery: could not give the events their stream offsets:", err)
    return
  end
  session.tagged_until = to
  remember()
end

local function follow_session(s)
  session = s
  local every = tonumber(cfg.tag_every) or 10
  if every > 0 then
    session.tag_timer = timer.every(every, function() tag_until(util.time()) end)
  end
  remember()
end

local function open_session(at)
  if session or opening then return end
  opening = true
  local opened, err = store.stream_session_opened { started = at, connection = cfg.stream_connection }
  opening = false
  if not opened then
    log.warn("stream-recovery: could not store the stream session:", err)
    return
  end
  follow_session({ id = opened.id, started = at, timeline_start_ms = opened.timeline_start_ms, tagged_until = at })
  log.info("stream-recovery: stream session " .. opened.id .. " opened at " ..
           string.format("%.3f", opened.timeline_start_ms / 1000) .. " s into the day's stream")
end

local function close_session(at, reason)
  local s = session
  if not s then return end
  tag_until(at)
  session = nil
  remember()
  if s.tag_timer then timer.cancel(s.tag_timer) end
  local ok, err = store.stream_session_closed(s.id, { ended = at, reason = reason })
  if not ok then log.warn("stream-recovery: could not close stream session " .. s.id .. ":", err) end
  log.info("stream-recovery: stream session " .. s.id .. " closed: " .. reason)
end

local function cancel_restart()
  if restart and restart.timer then timer.cancel(restart.timer) end
  restart = nil
end

local function delay_of(attempt)
  local first = tonumber(cfg.restart_first_delay) or 2
  local factor = tonumber(cfg.restart_factor) or 2
  local most = tonumber(cfg.restart_max_delay) or 60
  return math.min(first * factor ^ (attempt - 1), most)
end

local next_attempt

local function try_start(r)
  r.timer = nil
  if restart ~= r then return end
  log.info("stream-recovery: restarting the stream, attempt " .. r.attempt .. " of " .. cfg.restart_attempts)
  r.waiting = true
  local ok, err, code = str:start_stream()
  if restart ~= r or not r.waiting then return end
  if not ok then
    log.info("stream-recovery: attempt " .. r.attempt .. " failed: " .. code .. ": " .. err)
    r.waiting = false
    next_attempt(r)
    return
  end
  -- OBS answers the request at once; the outcome comes as a stream state (started or stopped).
  r.timer = timer.after(tonumber(cfg.start_confirm_seconds) or 15, function()
    r.timer = nil
    if restart ~= r or not r.waiting then return end
    r.waiting = false
    local status = str:stream_status()
    if restart ~= r then return end
    if type(status) == "table" and status.active then
      restart = nil
      open_session(util.time())
    else
      log.info("stream-recovery: attempt " .. r.attempt .. " did not start the stream")
      next_attempt(r)
    end
  end)
end

next_attempt = function(r)
  if restart ~= r then return end
  local attempts = tonumber(cfg.restart_attempts) or 0
  if r.attempt >= attempts then
    restart = nil
    log.error("stream-recovery: gave up restarting the stream on " .. cfg.stream_connection .. " after " ..
              attempts .. " attempts: start it from OBS")
    return
  end
  r.attempt = r.attempt + 1
  r.timer = timer.after(delay_of(r.attempt), function() try_start(r) end)
end

local function schedule_restart(why)
  if operator_stopped or restart then return end
  log.warn("stream-recovery: the stream on " .. cfg.stream_connection .. " dropped (" .. why .. "): restarting")
  restart = { attempt = 0 }
  next_attempt(restart)
end

on("obs.stream_state", function(ev)
  if not ours(ev) then return end
  local state = ev.data.state
  if state == STARTED or state == RECONNECTED then
    cancel_restart()
    operator_stopped = false
    open_session(ev.at)
  elseif state == RECONNECTING then
    close_session(ev.at, "OBS reconnecting")
  elseif state == STOPPED then
    if restart and restart.waiting then
      -- a restart attempt that OBS could not carry through
      restart.waiting = false
      if restart.timer then timer.cancel(restart.timer) end
      log.info("stream-recovery: attempt " .. restart.attempt .. " did not start the stream")
      next_attempt(restart)
      return
    end
    close_session(ev.at, operator_stopped and "operator" or "stream stopped")
    schedule_restart("stream stopped")
  end
end)

on("obs.disconnected", function(ev)
  if not ours(ev) then return end
  local reason = "disconnected"
  if ev.data.reason and ev.data.reason ~= "" then reason = reason .. ": " .. tostring(ev.data.reason) end
  close_session(ev.at, reason)
  if restart and restart.waiting then
    restart.waiting = false
    if restart.timer then timer.cancel(restart.timer) end
    next_attempt(restart)
  end
  schedule_restart(reason)
end)

on(cfg.operator_stop_event, function(ev)
  operator_stopped = true
  cancel_restart()
  log.info("stream-recovery: the operator stops the stream: no restart")
  if cfg.stop_on_operator_event and session then
    local ok, err = str:stop_stream()
    if not ok then log.warn("stream-recovery: stopping the stream failed:", err) end
  end
  close_session(ev.at, "operator")
end)

-- A session the previous run of the host left open: continued when OBS has been streaming since it
-- began (the same stream), otherwise closed where its events were last tagged.
local function adopt_or_close(status)
  if opening then return true end
  opening = true
  local left = store.get("open_session")
  opening = false
  if session then return true end
  if type(left) ~= "table" or not left.id then return false end
  store.set("open_session", nil)
  local now = util.time()
  local streaming_since = status and status.active and status.duration_ms and now - status.duration_ms / 1000
  if streaming_since and math.abs(streaming_since - left.started) < 5 then
    follow_session({ id = left.id, started = left.started, timeline_start_ms = left.timeline_start_ms,
                     tagged_until = left.tagged_until })
    log.info("stream-recovery: stream session " .. left.id .. " continues after the host restarted")
    return true
  end
  local ok, err = store.stream_session_closed(left.id, { ended = left.tagged_until, reason = "host stopped" })
  if not ok then log.warn("stream-recovery: could not close stream session " .. left.id .. ":", err) end
  log.info("stream-recovery: stream session " .. left.id .. " closed: the host stopped while it ran")
  return false
end

-- OBS may have kept streaming while its websocket (or the host) was down: then there is nothing to
-- restart.
local function resume_with(status)
  if session then return end
  if adopt_or_close(status) then return end
  if type(status) ~= "table" or not status.active then return end
  cancel_restart()
  open_session(util.time())
end

on("obs.connected", function(ev)
  if not ours(ev) or session then return end
  local status = str:stream_status()
  resume_with(type(status) == "table" and status or nil)
end)

-- Loaded (or reloaded) while OBS_STR is already connected: no obs.connected will come.
timer.after(0, function()
  local status = str:stream_status()
  if type(status) == "table" then resume_with(status) end
end)
