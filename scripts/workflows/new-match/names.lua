-- names: fills templates like "{match} {blue_name}" and makes text safe as a file or folder name.
local M = {}

-- Replaces each {key} with values[key]; unknown keys become "".
function M.fill(template, values)
  return (string.gsub(template, "{([%w_]+)}", function(key)
    local v = values[key]
    if v == nil then return "" end
    return tostring(v)
  end))
end

-- Characters no file system (or OBS's % date codes) accepts in a name become "_"; control
-- characters go, runs of spaces shrink to one, and leading/trailing dots and spaces are dropped.
function M.safe(text)
  local s = tostring(text or "")
  s = string.gsub(s, "[%c]", " ")
  s = string.gsub(s, '[/\\:%*%?"<>|%%]', "_")
  s = string.gsub(s, "%s+", " ")
  s = string.gsub(s, "^[%s%.]+", "")
  s = string.gsub(s, "[%s%.]+$", "")
  if s == "" then s = "_" end
  return s
end

return M
