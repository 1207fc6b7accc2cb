-- ivr: instant video replay for coach/referee challenges and the operator's Replay action.
--   challenge_requested / <replay_event> -> switch OBS_STR to ivr_scene at once, show overlay_source
--       once OBS reports ivr_scene on air (or overlay_wait_seconds after the switch), then save the
--       replay buffer (OBS_REC), tag the events of the last clip_seconds with the clip and open it in
--       mpv at play_from
--       (no replay buffer clip: the last clip_seconds cut from OBS_REC's running recording)
--   challenge_rejected / _cancelled / _resolved, or the operator closing mpv -> hide the overlay,
--       back to live_scene (the replay buffer itself is kept running by the host, armed by new-match)
--   With `banner`, a coach's or the referee's challenge also shows the review banner page (overlays/ivr.html)
--   from the request until banner_seconds after it is decided; the page shows tkStrike's outcome.
-- A request while a review is under way, or within debounce_seconds of the last one, is ignored.
-- Without "ivr" in the licence (evaluation mode) challenges are still stored and shown on the scoreboard, but
-- no review runs: the log says so once, and again if the licence comes and goes.
local cfg = config()

local function connection(name)
  if name == "rec" or name == "str" then return obs[name] end
  return obs.connection(name)
end

local rec = connection(cfg.clip_connection)
local str = connection(cfg.show_connection)
local overlay_scene = (cfg.overlay_scene ~= nil and cfg.overlay_scene ~= "") and cfg.overlay_scene or cfg.ivr_scene

-- Warns once per cause (connection, operation, error code); a success clears it.
local warned = {}
local function call(conn, label, op, what, ...)
  local result, err, code = conn[op](conn, ...)
  local prefix = label .. ":" .. op .. "\n"
  if result == nil then
    if not warned[prefix .. code] then
      warned[prefix .. code] = true
      log.warn("ivr: " .. what .. " failed on " .. label .. " (" .. code .. ": " .. err .. ")")
    else
      log.debug("ivr:", what, "failed again:", code, err)
    end
    return nil, err, code
  end
  for key in pairs(warned) do
    if string.sub(key, 1, #prefix) == prefix then warned[key] = nil end
  end
  return result
end

-- The review under way: {reason, since, clip, shown (switched to ivr_scene), overlay (shown),
-- overlay_timer, playing, closed}; nil when none.
local review = nil
local last_request = nil

local function side_name(side)
  if side == 0 then return "referee" end
  return "coach " .. tostring(side)
end

local function show_overlay(r)
  if r.overlay or r.closed then return end
  r.overlay = true
  if r.overlay_timer then timer.cancel(r.overlay_timer) end
  call(str, "OBS_STR", "set_source_visible", "showing the IVR overlay", overlay_scene, cfg.overlay_source, true)
end

local function close_review(why, r)
  r = r or review
  if not r or r.closed then return end
  r.closed = true
  if review == r then review = nil end
  if r.overlay_timer then timer.cancel(r.overlay_timer) end
  if r.overlay then
    call(str, "OBS_STR", "set_source_visible", "hiding the IVR overlay", overlay_scene, cfg.overlay_source, false)
  end
  if r.shown then
    call(str, "OBS_STR", "set_scene", "switching back to " .. cfg.live_scene, cfg.live_scene)
  end
  if r.playing and cfg.close_viewer and why ~= "viewer closed" then
    local ok, err = playback.close()
    if not ok then log.warn("ivr: could not close the replay viewer:", err) end
  end
  log.info("ivr: review (" .. r.reason .. ") closed: " .. why)
end

local banner_timer = nil

local function show_banner(match_state, side)
  if not cfg.banner then return end
  if banner_timer then
    timer.cancel(banner_timer)
    banner_timer = nil
  end
  local ok, err = overlay.show("ivr", { side = side, scores_before = match_state.scores })
  if not ok then log.warn("ivr: the review banner could not be shown:", err) end
end

local function end_banner()
  if not cfg.banner or banner_timer then return end
  banner_timer = timer.after(tonumber(cfg.banner_seconds) or 5, function()
    banner_timer = nil
    overlay.hide("ivr")
  end)
end

local function open_review(ev, reason, info)
  local now = util.now()
  local debounce = tonumber(cfg.debounce_seconds) or 0
  if review then
    log.info("ivr: " .. reason .. " ignored: a review (" .. review.reason .. ") is under way")
    return
  end
  if last_request and now - last_request < debounce then
    log.info("ivr: " .. reason .. " ignored: repeated within " .. debounce .. " s")
    return
  end
  last_request = now
  local r = { reason = reason, since = ev.at - (tonumber(cfg.clip_seconds) or 20), at = ev.at }
  review = r

  -- On air first: the switch must not wait for the clip, which takes OBS a second or more to save.
  -- The overlay follows once OBS reports the scene on air: a request sent right behind the switch
  -- holds up OBS's own report of it. A resolution during the switch has already switched back.
  r.shown = true
  local switched = call(str, "OBS_STR", "set_scene", "switching to " .. cfg.ivr_scene, cfg.ivr_scene)
  if not switched then
    show_overlay(r)  -- no report will come; the overlay may live in a scene that is on air
  elseif not r.overlay and not r.closed then
    r.overlay_timer = timer.after(tonumber(cfg.overlay_wait_seconds) or 0.5, function() show_overlay(r) end)
  end

  -- The clip is saved even when the challenge was resolved during the switch: it is the record of it.
  -- Without a replay buffer (OBS stopped it, or it is still restarting) the referee still gets the
  -- last clip_seconds, cut from the running recording.
  local clip, err, code = rec:save_replay()
  if not clip then
    log.warn("ivr: the replay buffer has no clip for the " .. reason .. " (" .. code .. ": " .. err ..
             "); cutting it from OBS_REC's recording instead")
    local cut, cerr, ccode = rec:recording_clip(tonumber(cfg.clip_seconds) or 20, ev.at)
    if not cut then
      log.warn("ivr: no clip for the " .. reason .. ": the recording could not be cut either (" .. ccode .. ": " .. cerr ..
               "); the request is stored, review it from the recording")
      local stored, serr = store.clip { requested = ev.at, since = r.since, to = ev.at, error = ccode, reason = reason,
                                        side = info.side, match_id = ev.match_id }
      if not stored then log.warn("ivr: could not store the failed clip request:", serr) end
      return
    end
    clip = cut
  end
  r.clip = clip.path
  local ok, terr = store.tag { since = r.since, to = ev.at, clip_path = clip.path, clip_started = r.since }
  if not ok then log.warn("ivr: could not tag the events with the clip:", terr) end
  local stored, serr = store.clip { requested = ev.at, since = r.since, to = ev.at, path = clip.path, reason = reason,
                                    side = info.side, match_id = ev.match_id }
  if not stored then log.warn("ivr: could not store the clip:", serr) end
  if r.closed then return end

  local played, perr = playback.open(clip.path, { start = tonumber(cfg.play_from) or 10 })
  if not played then
    log.warn("ivr: the replay viewer could not open " .. clip.path .. ": " .. tostring(perr))
  elseif r.closed then
    -- resolved while the viewer was starting
    if cfg.close_viewer then playback.close() end
  else
    r.playing = true
  end
end

local said_unlicensed = false
local function licensed()
  if license.has("ivr") then
    said_unlicensed = false
    return true
  end
  if not said_unlicensed then
    said_unlicensed = true
    log.warn("ivr: the licence does not include \"ivr\" (" .. license.status().reason
      .. "): challenges are stored and shown, but no review clip, scene or banner")
  end
  return false
end

on("challenge_requested", function(ev, match_state)
  if not licensed() then return end
  local side = ev.data.side
  show_banner(match_state, side)
  open_review(ev, "challenge of the " .. side_name(side), { side = side })
end)

on(cfg.replay_event, function(ev)
  if not licensed() then return end
  open_review(ev, "operator replay", {})
end)

for _, kind in ipairs({ "challenge_rejected", "challenge_cancelled", "challenge_resolved" }) do
  on(kind, function(ev)
    local what = string.gsub(kind, "^challenge_", "")
    if ev.data.result then what = what .. " (" .. tostring(ev.data.result) .. ")" end
    end_banner()
    close_review("challenge " .. what)
  end)
end

obs.on("scene_changed", function(ev)
  local on_air = ev.data.role == cfg.show_connection or ev.data.connection == cfg.show_connection
  if review and review.shown and on_air and ev.data.scene == cfg.ivr_scene then show_overlay(review) end
end)

playback.on_closed(function(ev)
  if ev.data.by == "viewer" then close_review("viewer closed") end
end)

on("operator_back_to_live", function()
  close_review("operator back to live")
end)
