#include "vta/ui/panel.hpp"

int main(int argc, char** argv) { return vta::ui::vta_main(argc, argv); }
