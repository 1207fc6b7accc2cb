// `vta panel`: the FLTK control panel with the host running in the same process, on its own thread.
#pragma once

#include <string>
#include <vector>

namespace vta::ui {

// True when an X display is named (DISPLAY set): `vta` without a command then opens the panel.
bool display_available();

// vta panel [--config FILE] [--bind ADDR] [--port N] [--db FILE] [--size WxH]
int panel_command(const std::vector<std::string>& args);

// The `vta` command: the panel (`vta panel`, or no command with a display), else any headless command of
// vta_host. It lives here, above the panel, so nothing in host/ depends on FLTK.
int vta_main(int argc, char** argv);

}  // namespace vta::ui
