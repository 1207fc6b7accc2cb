-- scenes: a rule table in config drives OBS_STR.
-- Each rule (config.rules.<name>, an operator can change or remove one by name):
--   on           event kind that starts it ("break_started", "winner", "match_loaded", ...)
--   scene        scene to switch to, or
--   source       source to show in `in_scene` (default live_scene), and/or
--   overlay      overlay page to show (scripts/overlays: "intro", "winner", "break", ...)
--   delay        seconds between the event and the switch (default 0)
--   seconds      how long it lasts (0 or absent: until `until`, or for good)
--   until        event kind that ends it early
--   return_scene scene to go back to afterwards (default live_scene; scene rules only)
-- While a rule is on, its event again is ignored (the winner event comes up to three times).
-- A scene OBS does not have is reported once and the rule skipped; failed calls warn once per cause.
local cfg = config()

local function connection(name)
  if name == "rec" or name == "str" then return obs[name] end
  return obs.connection(name)
end
local conn = connection(cfg.connection)

local warned = {}
local function warn_once(key, message)
  if warned[key] then return end
  warned[key] = true
  log.warn("scenes: " .. message)
end

-- True when OBS has `scene`; unknown (true) when the list cannot be read.
local function scene_exists(scene, rule_name)
  local list, err, code = conn:scenes()
  if not list then
    warn_once("scenes\n" .. code, "cannot read OBS_STR's scene list (" .. code .. ": " .. err .. ")")
    return true
  end
  for _, s in ipairs(list.scenes or {}) do
    if s == scene then
      warned["missing\n" .. scene] = nil
      return true
    end
  end
  warn_once("missing\n" .. scene, "scene '" .. scene .. "' (rule '" .. rule_name ..
            "') does not exist in OBS_STR: the rule is skipped until it does")
  return false
end

local function switch(scene, rule_name)
  if not scene_exists(scene, rule_name) then return false end
  local ok, err, code = conn:set_scene(scene)
  if not ok then
    warn_once("set_scene\n" .. scene .. "\n" .. code,
              "switching to '" .. scene .. "' (rule '" .. rule_name .. "') failed (" .. code .. ": " .. err .. ")")
    return false
  end
  return true
end

local function show_page(page, visible, rule_name)
  local ok, err, code
  if visible then ok, err, code = overlay.show(page) else ok, err, code = overlay.hide(page) end
  if not ok then
    warn_once("page\n" .. page .. "\n" .. code, (visible and "showing" or "hiding") .. " overlay page '" .. page ..
              "' (rule '" .. rule_name .. "') failed (" .. code .. ": " .. err .. ")")
  end
  return ok
end

local function show(scene, source, visible, rule_name)
  local ok, err, code = conn:set_source_visible(scene, source, visible)
  if not ok then
    warn_once("source\n" .. scene .. "\n" .. source .. "\n" .. code,
              (visible and "showing" or "hiding") .. " source '" .. source .. "' in '" .. scene ..
              "' (rule '" .. rule_name .. "') failed (" .. code .. ": " .. err .. ")")
    return false
  end
  return true
end

-- Rules in name order, each with its own state: {name, spec, active, applied, page_shown, timers, generation}.
local rules = {}
do
  local ordered = {}
  for name in pairs(type(cfg.rules) == "table" and cfg.rules or {}) do ordered[#ordered + 1] = name end
  table.sort(ordered)
  for _, name in ipairs(ordered) do
    local spec = cfg.rules[name]
    if type(spec) ~= "table" or type(spec.on) ~= "string" or
       (spec.scene == nil and spec.source == nil and spec.overlay == nil) then
      log.warn("scenes: rule '" .. name .. "' needs 'on' and a 'scene', 'source' or 'overlay': ignored")
    else
      rules[#rules + 1] = { name = name, spec = spec, active = false, generation = 0 }
    end
  end
end

local function finish(rule, generation)
  if not rule.active or rule.generation ~= generation then return end
  rule.active = false
  if rule.timer then
    timer.cancel(rule.timer)
    rule.timer = nil
  end
  local spec = rule.spec
  if rule.page_shown then
    rule.page_shown = false
    show_page(spec.overlay, false, rule.name)
  end
  if not rule.applied then return end
  rule.applied = false
  if spec.scene then
    switch(spec.return_scene or cfg.live_scene, rule.name)
  else
    show(spec.in_scene or cfg.live_scene, spec.source, false, rule.name)
  end
end

local function apply(rule, generation)
  if not rule.active or rule.generation ~= generation then return end
  local spec = rule.spec
  if spec.scene then
    rule.applied = switch(spec.scene, rule.name)
  elseif spec.source then
    rule.applied = show(spec.in_scene or cfg.live_scene, spec.source, true, rule.name)
  end
  if type(spec.overlay) == "string" then rule.page_shown = show_page(spec.overlay, true, rule.name) end
  local seconds = tonumber(spec.seconds) or 0
  if seconds > 0 then
    rule.timer = timer.after(seconds, function()
      rule.timer = nil
      finish(rule, generation)
    end)
  end
end

local function start(rule)
  if rule.active then return end
  rule.active = true
  rule.generation = rule.generation + 1
  local generation = rule.generation
  local delay = tonumber(rule.spec.delay) or 0
  if delay > 0 then
    rule.timer = timer.after(delay, function()
      rule.timer = nil
      apply(rule, generation)
    end)
  else
    apply(rule, generation)
  end
end

for _, rule in ipairs(rules) do
  on(rule.spec.on, function() start(rule) end)
  if type(rule.spec["until"]) == "string" then
    on(rule.spec["until"], function() finish(rule, rule.generation) end)
  end
end
