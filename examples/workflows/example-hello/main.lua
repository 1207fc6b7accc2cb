-- example-hello: reacts to a match the way the replay workflow will, in a few lines.
local cfg = config()

on("match_loaded", function(ev, match)
  log.info("match", match.number, "loaded")
end)

on("challenge_requested", function(ev)
  local clip, err = obs.rec:save_replay()
  if not clip then
    log.warn("no replay:", err)
    return
  end
  store.tag { since = ev.at - 20, to = ev.at, clip_path = clip.path }
  playback.open(clip.path, { start = cfg.play_from })
  obs.str:set_scene(cfg.ivr_scene)
end)

on("challenge_resolved", function()
  playback.close()
  obs.str:set_scene(cfg.live_scene)
end)

on("winner", function(ev)
  log.info("winner", ev.data.winner)
end)
