#include "vta/host/commands.hpp"
#include "vta/ui/panel.hpp"

// The panel lives in vta_ui (FLTK), which the host library must not depend on: only the executable
// chooses between the panel and the headless commands.
int main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "panel") return vta::ui::panel_command({argv + 2, argv + argc});
    if (argc == 1 && vta::ui::display_available()) return vta::ui::panel_command({});
    return vta::host::main_command(argc, argv);
}
