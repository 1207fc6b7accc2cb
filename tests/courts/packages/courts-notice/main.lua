-- courts-notice: one court's message reaches every court's packages through the broker.
courts.on("panel/notice", function(data, from_court)
  log.info("notice '" .. data.text .. "' from court " .. from_court)
end)

on("match_loaded", function(ev, match)
  local ok, err = courts.publish("panel/notice", { text = "match " .. match.number .. " loaded" })
  if not ok then log.warn("no notice:", err) end
end)
