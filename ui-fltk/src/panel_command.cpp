#include "vta/ui/panel.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <FL/Fl.H>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "panel_window.hpp"
#include "vta/host/commands.hpp"
#include "vta/host/host.hpp"
#include "vta/host/log_ring.hpp"
#include "vta/host/logging.hpp"
#include "vta/host/options.hpp"
#include "vta/host/setup.hpp"

namespace vta::ui {

namespace {

constexpr std::size_t log_lines_kept = 2000;

int usage_error(const std::string& message) {
    std::cerr << "vta panel: " << message << "\n(see `vta --help`)\n";
    return 2;
}

bool parse_size(const std::string& text, int& w, int& h) {
    const auto x = text.find('x');
    if (x == std::string::npos) return false;
    try {
        w = std::stoi(text.substr(0, x));
        h = std::stoi(text.substr(x + 1));
    } catch (const std::exception&) {
        return false;
    }
    return w >= 800 && w <= 8000 && h >= 600 && h <= 8000;
}

void close_all_windows(void*) {
    while (Fl::first_window()) Fl::first_window()->hide();
}

}  // namespace

int vta_main(int argc, char** argv) {
    if (argc >= 2 && std::string(argv[1]) == "panel") return panel_command({argv + 2, argv + argc});
    if (argc == 1 && display_available()) return panel_command({});
    return host::main_command(argc, argv);
}

bool display_available() {
    const char* display = std::getenv("DISPLAY");
    return display && *display;
}

int panel_command(const std::vector<std::string>& args) {
    const auto o = host::parse_options(args, {"config", "db", "bind", "port", "size"}, {});
    if (!o.error.empty()) return usage_error(o.error);
    if (!o.positional.empty()) return usage_error("unexpected argument '" + o.positional.front() + "'");
    int width = 1280, height = 720;
    if (auto size = o.value("size"); size && !parse_size(*size, width, height))
        return usage_error("--size: expected WIDTHxHEIGHT from 800x600, got '" + *size + "'");
    std::filesystem::path config_file;
    auto setup = host::resolve_setup(o, config_file);
    if (!setup) return usage_error(setup.error().message);
    if (!display_available()) return usage_error("no display: set DISPLAY, or use `vta run` for the headless host");

    if (auto problem = host::setup_logging(setup->config.log, setup->config.log.file); !problem.empty())
        spdlog::warn("{}", problem);
    auto log_ring = host::attach_log_ring(log_lines_kept);
    spdlog::info("reStrike VTA panel starting; config: {}{}", config_file.string(),
                 std::filesystem::exists(config_file) ? "" : " (not present: embedded defaults)");
    for (const auto& warning : setup->warnings) spdlog::warn("{}", warning);

    Fl::lock();                      // enables Fl::awake from the host thread
    Fl::visual(FL_DOUBLE | FL_RGB);  // opens the display: exits with "Can't open display" when there is none

    boost::asio::io_context io;
    auto created = host::Host::create(io, *setup);
    if (!created) {
        spdlog::critical("{}", created.error().message);
        return 1;
    }
    std::unique_ptr<host::Host> host = std::move(created.value());
    std::optional<flags::NocTable> nocs;
    if (auto table = host::load_noc_table(setup->config.overlays, setup->overlays_folder))
        nocs.emplace(std::move(table.value()));
    else
        spdlog::warn("panel: {}: no flags", table.error().message);
    auto window = std::make_unique<PanelWindow>(width, height, host->actions(), config_file, setup->config,
                                                package_schemas(setup->workflow_folders), std::move(nocs));
    PanelWindow* panel = window.get();
    host->on_snapshot([panel](std::shared_ptr<const host::HostSnapshot> s) { panel->deliver(std::move(s)); }, log_ring);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        spdlog::info("signal received: closing the panel");
        Fl::awake(close_all_windows, nullptr);
    });
    host->start();
    auto work = boost::asio::make_work_guard(io);
    std::thread host_thread([&io] { io.run(); });

    window->show();
    const auto [x, y, w, h] = window->replay_button_box();
    spdlog::info("panel: window '{}' {}x{}; Replay button at {},{} size {}x{}", window->label(), width, height, x, y, w,
                 h);
    const auto [day_x, day_y, day_w, day_h] = window->add_day_button_box();
    spdlog::info("panel: Add day button at {},{} size {}x{}", day_x, day_y, day_w, day_h);
    const auto [licence_x, licence_y, licence_w, licence_h] = window->licence_button_box();
    spdlog::info("panel: Licence button at {},{} size {}x{}", licence_x, licence_y, licence_w, licence_h);
    window->log_control_boxes();
    const int status = Fl::run();

    const PanelFigures figures = window->figures();
    spdlog::info("panel: {} snapshots received, {} rendered; UI thread max stall {:.1f} ms, longest render {:.1f} ms",
                 figures.snapshots_received, figures.snapshots_rendered, figures.max_stall_ms, figures.max_render_ms);
    // The host stops on its own thread: everything it owns lives there.
    boost::asio::post(io, [&] {
        signals.cancel();
        host->stop();
        work.reset();
        io.stop();
    });
    host_thread.join();
    window.reset();
    host.reset();
    spdlog::shutdown();
    return status;
}

}  // namespace vta::ui
