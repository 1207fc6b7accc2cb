-- new-match: records each match on OBS_REC.
--   match_ready  -> record folder <root>/<tournament>/<day>, file name from the template, replay
--                   buffer armed, recording started
--   winner       -> recording stopped `stop_after_winner` seconds later (unless the next match
--                   loads first, which stops it at once)
-- Each recording is a row of the store's recording table (store.recording_started when it starts,
-- store.recording_stopped with its path and end), and every event of the match gets its offset
-- into it (store.tag with recording_started).
local names = require("names")

local cfg = config()

local function connection(name)
  if name == "rec" or name == "str" then return obs[name] end
  return obs.connection(name)
end

local rec = connection(cfg.recording_connection)

-- Warns once per cause (operation and error code) until the operation works again.
local warned = {}
local function report(op, err, code, what)
  local key = op .. "\n" .. code
  if warned[key] then
    log.debug("new-match:", op, "failed again:", code, err)
    return
  end
  warned[key] = true
  log.warn("new-match: " .. what .. " failed on OBS_REC (" .. code .. ": " .. err .. ")")
end
local function ok_again(op)
  for key in pairs(warned) do
    if string.sub(key, 1, #op + 1) == op .. "\n" then warned[key] = nil end
  end
end

local function call(op, what, ...)
  local result, err, code = rec[op](rec, ...)
  if result == nil then
    report(op, err, code, what)
    return nil, err, code
  end
  ok_again(op)
  return result
end

-- The recording in progress: {match, match_id, folder, file, started, id}; nil when none.
local current = nil
local stop_timer = nil

local function template_values(m, at)
  local blue = (m.athletes or {})[1] or {}
  local red = (m.athletes or {})[2] or {}
  local field = cfg.name_field
  local day, _ = store.day()
  day = type(day) == "table" and day or {}
  return {
    match = m.number or "",
    category = m.category or "",
    weight = m.weight or "",
    division = m.division or "",
    blue_name = blue[field] or blue.long_name or "",
    blue_short = blue.short_name or "",
    blue_noc = blue.noc or "",
    red_name = red[field] or red.long_name or "",
    red_short = red.short_name or "",
    red_noc = red.noc or "",
    tournament = day.tournament_name or cfg.tournament,
    day_number = day.day_number or "",
    date = day.date or os.date("!%Y-%m-%d", math.floor(at)),
  }
end

local function finish(at, why, already_stopped)
  if stop_timer then
    timer.cancel(stop_timer)
    stop_timer = nil
  end
  local rec_info = current
  if not rec_info then return end
  current = nil
  store.set("open_recording", nil)
  local stopped = nil
  if not already_stopped then stopped = call("stop_record", "stopping the recording of match " .. rec_info.match) end
  local path = stopped and stopped.path or nil
  local ok, err = store.tag { since = rec_info.started, to = at, recording_started = rec_info.started }
  if not ok then log.warn("new-match: could not link the events to the recording:", err) end
  if rec_info.id then
    ok, err = store.recording_stopped(rec_info.id, { ended = at, path = path, stopped_by = why })
    if not ok then log.warn("new-match: could not store the end of the recording of match " .. rec_info.match .. ":", err) end
  end
  log.info("new-match: recording of match " .. rec_info.match .. " stopped (" .. why .. "): " .. tostring(path))
end

-- The replay buffer's length, and the name and folder of its clips (the recording's, with a prefix
-- and suffix), are read by OBS when the buffer starts: it is re-armed for every match, before the
-- recording starts, so that it starts with a fresh encoder. The host owns it from then on: it confirms
-- the start from OBS's own events, starts it again whenever OBS stops it, and warns once when it
-- cannot (arm_replay then returns nil within a few seconds and the recording starts all the same).
-- Without settings a running buffer is kept as it is.
local function arm_replay_buffer(settings)
  local armed, err = rec:arm_replay(settings)
  if not armed then log.debug("new-match: the replay buffer is not running yet:", err) end
end

local function lost_recording(at, r)
  if current ~= r then return end
  finish(at, "stopped by OBS", true)
  log.error("new-match: OBS_REC is not recording match " .. r.match .. "; check that " .. cfg.recordings_root ..
            " exists and is writable on the OBS machine")
end

-- OBS may refuse a recording or stop it on its own (a record folder missing on the OBS machine, a full
-- disk): StartRecord answers before the output runs, so look again a moment later, then follow OBS's
-- own stop events.
local function confirm_recording(r)
  util.sleep(tonumber(cfg.confirm_seconds) or 1)
  if current ~= r then return end
  local status = rec:record_status()
  if type(status) ~= "table" then return end
  if status.active == false then
    lost_recording(util.now(), r)
  else
    r.confirmed = true
  end
end

-- A recording the previous run of the host left open: continued when OBS_REC still records the match
-- the host continues, stopped when the match is over, closed when OBS no longer records.
local function adopt_recording()
  local left = store.get("open_recording")
  if current or type(left) ~= "table" or not left.id then return end
  local status = rec:record_status()
  if type(status) ~= "table" or current then return end
  store.set("open_recording", nil)
  local m = match()
  if status.active and tostring(m.number or "") == left.match and not m.decided then
    current = left
    current.confirmed = true
    store.set("open_recording", left)
    log.info("new-match: the recording of match " .. left.match .. " continues after the host restarted")
    arm_replay_buffer()  -- the match's buffer goes on too, kept running by the host from now on
  elseif status.active then
    current = left
    finish(util.time(), "host restarted after the match")
  else
    local ok, err = store.recording_stopped(left.id, { ended = util.time(), stopped_by = "host stopped" })
    if not ok then log.warn("new-match: could not close the recording of match " .. left.match .. ":", err) end
    log.warn("new-match: the recording of match " .. left.match .. " ended while the host was stopped")
  end
end

on("obs.connected", function(ev)
  if ev.data.connection == cfg.recording_connection or ev.data.role == cfg.recording_connection then
    adopt_recording()
  end
end)
-- Loaded (or reloaded) while OBS_REC is already connected: no obs.connected will come.
timer.after(0, adopt_recording)

on("match_loaded", function(ev)
  if current then finish(ev.at, "next match loaded") end
end)

on("match_ready", function(ev, m)
  local number = tostring(m.number or "")
  if current and current.match == number then return end
  if current then finish(ev.at, "next match ready") end
  local values = template_values(m, ev.at)
  -- OBS does not create its record folder, but it does create the folders named in the file name
  -- format: the root stays the record folder (it must exist on the OBS machine), tournament and day
  -- go into the format. The replay clips land next to the recording.
  local subfolders = names.safe(values.tournament) .. "/" .. names.safe(names.fill(cfg.day_folder, values))
  local folder = cfg.recordings_root .. "/" .. subfolders
  local file = names.safe(names.fill(cfg.filename_template, values))
  call("set_record_directory", "setting the record folder to " .. cfg.recordings_root, cfg.recordings_root)
  call("set_filename_format", "setting the file name to " .. subfolders .. "/" .. file, subfolders .. "/" .. file)
  arm_replay_buffer { seconds = tonumber(cfg.replay_seconds) or 0, suffix = tostring(cfg.replay_suffix or "") }
  if call("start_record", "starting the recording of match " .. number) then
    current = { match = number, match_id = ev.match_id, folder = folder, file = file, started = ev.at }
    local id, err = store.recording_started { started = ev.at, match_id = ev.match_id, folder = folder, file = file,
                                              connection = cfg.recording_connection }
    if not id then log.warn("new-match: could not store the running recording:", err) end
    current.id = id
    -- Kept so a host restarted mid-match goes on with this recording (see adopt_recording).
    store.set("open_recording", { id = id, match = number, match_id = ev.match_id, folder = folder, file = file,
                                  started = ev.at })
    log.info("new-match: recording match " .. number .. " to " .. folder .. "/" .. file)
    confirm_recording(current)
  end
end)

on("obs.record_state", function(ev)
  local d = ev.data
  if d.state ~= "OBS_WEBSOCKET_OUTPUT_STOPPED" then return end
  if d.connection ~= cfg.recording_connection and d.role ~= cfg.recording_connection then return end
  if current and current.confirmed then lost_recording(ev.at, current) end
end)

on("winner", function(ev)
  if not current or stop_timer then return end
  local delay = tonumber(cfg.stop_after_winner) or 0
  local stop_at = ev.at + delay
  stop_timer = timer.after(delay, function()
    stop_timer = nil
    finish(stop_at, "winner + " .. delay .. " s")
  end)
end)
