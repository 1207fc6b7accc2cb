#include "vta/host/commands.hpp"

int main(int argc, char** argv) { return vta::host::main_command(argc, argv); }
