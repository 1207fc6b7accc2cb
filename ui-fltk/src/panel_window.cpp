#include "panel_window.hpp"

#include <algorithm>
#include <cstdint>

#include <FL/Fl.H>
#include <FL/Fl_Box.H>
#include <FL/fl_draw.H>
#include <FL/Fl_Browser.H>
#include <FL/Fl_Button.H>
#include <FL/Fl_Check_Button.H>
#include <FL/Fl_Choice.H>
#include <FL/Fl_Group.H>
#include <FL/Fl_Hold_Browser.H>
#include <FL/Fl_Input.H>
#include <FL/Fl_Light_Button.H>
#include <FL/Fl_Native_File_Chooser.H>
#include <FL/fl_ask.H>
#include <FL/Fl_PNG_Image.H>
#include <FL/Fl_Scroll.H>
#include <FL/Fl_Secret_Input.H>
#include <FL/Fl_Tabs.H>
#include <FL/filename.H>
#include <spdlog/spdlog.h>

#include "audit_view.hpp"
#include "health_bar.hpp"
#include "control_room_table.hpp"
#include "licence_dialog.hpp"
#include "svg_image.hpp"
#include "tone_colour.hpp"
#include "vta/ui/view_models.hpp"

namespace vta::ui {

namespace {

constexpr double tick_seconds = 0.05;
constexpr int obs_form_rows = 4;
// Along the bottom, full width: the licence band (when shown) above the status bar.
constexpr int margin = 5;
constexpr int status_bar_h = 26;
constexpr int licence_button_w = 120;
constexpr int licence_band_h = 48;
constexpr int licence_status_w = 400;  // the licence's part of the status bar; the health items have the rest
// The on-air colours: the program scene and a running output in tally red, a muted main audio in amber.
const Fl_Color tally = fl_rgb_color(200, 30, 40);
const Fl_Color off_air = fl_rgb_color(90, 90, 90);

// One browser line: each column prefixed so FLTK prints it verbatim, the first in the row's colour.
std::string browser_line(const std::vector<std::string>& columns, Fl_Color colour) {
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) line += '\t';
        line += "@C" + std::to_string(unsigned(colour)) + "@." + columns[i];
    }
    return line;
}

Fl_Button* big_button(int x, int y, int w, int h, const char* label, Fl_Color colour) {
    auto* b = new Fl_Button(x, y, w, h, label);
    b->labelsize(22);
    b->labelfont(FL_HELVETICA_BOLD);
    b->color(colour);
    b->labelcolor(FL_WHITE);
    return b;
}

// Menu items treat '/', '&', '_' and '\\' as markup: a tournament name shows them as typed.
std::string menu_text(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '/' || c == '&' || c == '_' || c == '\\') escaped += '\\';
        escaped += c;
    }
    return escaped;
}

// A flat coloured bar whose label, wrapped or not, keeps a margin from both ends.
class Bar : public Fl_Box {
public:
    Bar() : Fl_Box(0, 0, 0, 0) { box(FL_FLAT_BOX); }
    void draw() override {
        draw_box();
        draw_label(x() + 10, y(), w() - 20, h(), align());
    }
};

void set_label(Fl_Widget* w, const std::string& text) {
    if (w->label() && text == w->label()) return;
    w->copy_label(text.c_str());
    w->redraw();
}

// The largest label size from `largest` down to `smallest` at which the label fits the widget's width.
void fit_label(Fl_Widget* w, int largest, int smallest) {
    int size = largest;
    for (; size > smallest; --size) {
        fl_font(w->labelfont(), size);
        if (fl_width(w->label()) <= double(w->w() - 6)) break;
    }
    w->labelsize(size);
}

}  // namespace

struct PanelWindow::SettingsWidgets {
    Fl_Input* udp_bind;
    Fl_Input* udp_port;
    Fl_Input* udp_allow;
    struct ObsRow {
        Fl_Input* name;
        Fl_Input* role;
        Fl_Input* host;
        Fl_Input* port;
        Fl_Secret_Input* password;
    };
    std::vector<ObsRow> obs;
    // One widget per package setting of the form, in its order: an Fl_Input, Fl_Check_Button
    // (boolean) or Fl_Choice (enum).
    std::vector<Fl_Widget*> package_inputs;
    std::vector<PackageSettingField> package_settings;  // their schema; values filled in by read_form
    Fl_Input* mpv;
    Fl_Input* flags_folder;
    Fl_Input* shortcut_replay;
    Fl_Input* shortcut_back_to_live;
    Fl_Input* shortcut_manual;
    Fl_Box* message;
};

PanelWindow::PanelWindow(int w, int h, host::OperatorActions& host, std::filesystem::path config_file,
                         const host::Config& config, std::vector<PackageSchema> packages,
                         std::optional<flags::NocTable> nocs)
    : Fl_Double_Window(w, h, "reStrike VTA panel"),
      host_(host),
      config_file_(std::move(config_file)),
      package_schemas_(std::move(packages)),
      flags_folder_(config.panel.flags_folder),
      nocs_(std::move(nocs)) {
    const ConfigFile read = read_config_file(config_file_);
    config_document_ = read.document.value_or(nlohmann::json::object());

    // Connections along the top: the UDP source, then each OBS connection.
    const int boxes = 1 + int(config.obs.size());
    const int box_w = (w - 10 - 5 * (boxes - 1)) / boxes;
    for (int i = 0; i < boxes; ++i) {
        auto* box = new Fl_Box(5 + i * (box_w + 5), 5, box_w, 58);
        box->box(FL_FLAT_BOX);
        box->color(tone_colour(Tone::idle));
        box->labelcolor(FL_WHITE);
        box->labelsize(15);
        box->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_WRAP);
        connection_boxes_.push_back(box);
    }

    // The live match, left.
    const int left_w = 500;
    match_title_ = new Fl_Box(5, 68, left_w, 28, "No match loaded");
    match_title_->labelsize(18);
    match_title_->labelfont(FL_HELVETICA_BOLD);
    match_title_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT);
    const Fl_Color side_colours[2] = {fl_rgb_color(30, 80, 200), fl_rgb_color(200, 30, 40)};
    for (int side = 0; side < 2; ++side) {
        const int y = 100 + side * 86;
        auto* band = new Fl_Box(5, y, left_w, 82);
        band->box(FL_FLAT_BOX);
        band->color(side_colours[side]);
        athletes_[side].flag = new Fl_Box(10, y + 5, 60, 40);
        athletes_[side].name = new Fl_Box(75, y + 4, 290, 38, side == 0 ? "Blue" : "Red");
        athletes_[side].name->labelsize(20);
        athletes_[side].name->labelcolor(FL_WHITE);
        athletes_[side].name->labelfont(FL_HELVETICA_BOLD);
        athletes_[side].name->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_CLIP);
        athletes_[side].detail = new Fl_Box(10, y + 44, 355, 36);
        athletes_[side].detail->labelcolor(FL_WHITE);
        athletes_[side].detail->labelsize(14);
        athletes_[side].detail->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_WRAP);
        athletes_[side].score = new Fl_Box(370, y + 2, 130, 78, "0");
        athletes_[side].score->labelsize(60);
        athletes_[side].score->labelfont(FL_HELVETICA_BOLD);
        athletes_[side].score->labelcolor(FL_WHITE);
    }
    round_clock_ = new Fl_Box(5, 272, left_w, 32, "");
    round_clock_->labelsize(24);
    round_clock_->labelfont(FL_COURIER_BOLD);
    match_status_ = new Fl_Box(5, 304, left_w, 26, "");
    match_status_->labelsize(16);

    // One-click actions.
    replay_button_ = big_button(5, 334, 245, 56, "Replay", fl_rgb_color(190, 90, 10));
    on_click(replay_button_, [this] { host_.post_replay(); });
    auto* live = big_button(255, 334, 250, 56, "Back to live", fl_rgb_color(30, 120, 60));
    on_click(live, [this] { host_.post_back_to_live(); });
    build_on_air(5, 396, left_w);

    manual_button_ = new Fl_Light_Button(5, 474, 130, 30, "Manual mode");
    on_click(manual_button_, [this] { set_manual_mode(manual_button_->value() != 0); });
    manual_input_ = new Fl_Input(140, 474, 290, 30);
    manual_input_->tooltip("PSS group(s) as tkStrike sends them, e.g. pt1;3;");
    manual_input_->when(FL_WHEN_ENTER_KEY_ALWAYS);
    on_click(manual_input_, [this] { send_manual(); });
    manual_send_ = new Fl_Button(435, 474, 70, 30, "Send");
    on_click(manual_send_, [this] { send_manual(); });
    day_box_ = new Fl_Box(5, 507, left_w, 24, "");
    day_box_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT);
    day_box_->labelfont(FL_HELVETICA_BOLD);
    // The tournament/day selector: new matches attach to the active day.
    day_choice_ = new Fl_Choice(5, 533, 395, 28);
    day_choice_->textsize(13);
    day_choice_->tooltip("tournament days: activate one so the next matches attach to it");
    auto* activate = new Fl_Button(405, 533, 100, 28, "Activate");
    on_click(activate, [this] {
        if (auto day = selected_day()) host_.post_activate_day(day->day_id);
    });
    new_day_date_ = new Fl_Input(5, 564, 110, 28);
    new_day_date_->tooltip("date of the new day or tournament, YYYY-MM-DD");
    new_day_date_->value(host::local_date_iso().c_str());
    add_day_button_ = new Fl_Button(120, 564, 100, 28, "Add day");
    add_day_button_->tooltip("adds the next day to the chosen tournament and activates it");
    on_click(add_day_button_, [this] {
        if (auto day = selected_day()) host_.post_add_day(day->tournament_id, new_day_date_->value());
    });
    new_tournament_name_ = new Fl_Input(225, 564, 170, 28);
    new_tournament_name_->tooltip("name of a new tournament");
    auto* add_tournament = new Fl_Button(400, 564, 105, 28, "New tourn.");
    add_tournament->tooltip("creates the tournament with its day 1 on the date given and activates it");
    on_click(add_tournament,
             [this] { host_.post_create_tournament(new_tournament_name_->value(), new_day_date_->value()); });
    day_error_ = new Fl_Box(5, 594, left_w, 24, "");
    day_error_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_CLIP);
    day_error_->labelcolor(tone_colour(Tone::bad));
    set_manual_mode(false);
    apply_shortcuts(config.panel.shortcuts);

    // Tabs, right.
    const int tx = left_w + 15, ty = 68, tw = w - tx - 5, th = h - ty - 2 * margin - status_bar_h;
    tabs_ = new Fl_Tabs(tx, ty, tw, th);
    const int cy = ty + 30, ch = th - 30;

    events_tab_ = new Fl_Group(tx, cy, tw, ch, "Events");
    event_filter_ = new Fl_Choice(tx + 60, cy + 5, 140, 26, "Kind");
    event_filter_->add("all");
    event_filter_->value(0);
    on_click(event_filter_, [this] {
        if (shown_) render_events(*shown_);
    });
    auto* hint = new Fl_Box(tx + 210, cy + 5, tw - 215, 26, "double-click an event with a clip to play it");
    hint->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT);
    events_ = new Fl_Hold_Browser(tx + 5, cy + 36, tw - 10, ch - 41);
    static int event_columns[] = {118, 45, 75, 230, 60, 150, 0};
    events_->column_widths(event_columns);
    events_->column_char('\t');
    events_->textfont(FL_COURIER);
    on_click(events_, [this] {
        if (Fl::event_clicks()) play_selected_event();
    });
    events_tab_->resizable(events_);
    events_tab_->end();

    build_control_room(tx, cy, tw, ch);

    workflows_tab_ = new Fl_Group(tx, cy, tw, ch, "Workflows");
    workflows_ = new Fl_Hold_Browser(tx + 5, cy + 5, tw - 10, ch - 100);
    static int workflow_columns[] = {140, 70, 90, 0};
    workflows_->column_widths(workflow_columns);
    workflows_->column_char('\t');
    on_click(workflows_, [this] {
        const int line = workflows_->value();
        if (line < 1 || !shown_) return;
        const auto rows = workflow_rows(*shown_);
        set_label(workflow_error_, std::size_t(line) <= rows.size() && !rows[line - 1].last_error.empty()
                                       ? "last error: " + rows[line - 1].last_error
                                       : "");
    });
    workflow_error_ = new Fl_Box(tx + 5, cy + ch - 90, tw - 10, 45);
    workflow_error_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_WRAP | FL_ALIGN_TOP);
    workflow_error_->labelcolor(fl_rgb_color(200, 40, 40));
    const int by = cy + ch - 40;
    auto* enable = new Fl_Button(tx + 5, by, 100, 32, "Enable");
    on_click(enable, [this] {
        if (auto n = selected_workflow()) host_.post_workflow_enabled(*n, true);
    });
    auto* disable = new Fl_Button(tx + 110, by, 100, 32, "Disable");
    on_click(disable, [this] {
        if (auto n = selected_workflow()) host_.post_workflow_enabled(*n, false);
    });
    auto* reload = new Fl_Button(tx + 215, by, 100, 32, "Reload");
    on_click(reload, [this] {
        if (auto n = selected_workflow()) host_.post_workflow_reload(*n);
    });
    auto* open = new Fl_Button(tx + 320, by, 120, 32, "Open folder");
    on_click(open, [this] {
        const int line = workflows_->value();
        if (line < 1 || std::size_t(line) > workflow_folders_.size()) return;
        char message[256];
        if (!fl_open_uri(("file://" + workflow_folders_[line - 1].string()).c_str(), message, sizeof message))
            spdlog::warn("panel: cannot open {}: {}", workflow_folders_[line - 1].string(), message);
    });
    workflows_tab_->resizable(workflows_);
    workflows_tab_->end();

    log_tab_ = new Fl_Group(tx, cy, tw, ch, "Log");
    log_level_ = new Fl_Choice(tx + 60, cy + 5, 120, 26, "Level");
    for (const auto& level : log_levels()) log_level_->add(level.c_str());
    log_level_->value(2);
    on_click(log_level_, [this] {
        log_shown_sequence_ = 0;
        if (shown_) render_log(*shown_);
    });
    // The log above, the audit trail below.
    const int log_h = (ch - 41) / 2;
    log_ = new Fl_Browser(tx + 5, cy + 36, tw - 10, log_h);
    audit_ = new AuditView(tx + 5, cy + 41 + log_h, tw - 10, ch - 46 - log_h);
    static int log_columns[] = {118, 70, 0};
    log_->column_widths(log_columns);
    log_->column_char('\t');
    log_tab_->resizable(log_);
    log_tab_->end();

    build_settings(tx, cy, tw, ch);
    tabs_->end();

    // The licence along the bottom: the band the operator cannot miss, shown only when there is a warning, and the
    // status bar with the dialog's button. layout_bottom() places them.
    licence_band_ = new Bar;
    licence_band_->labelsize(16);
    licence_band_->labelfont(FL_HELVETICA_BOLD);
    licence_band_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_WRAP | FL_ALIGN_CLIP);
    licence_band_->hide();
    health_bar_ = new HealthBar;
    status_bar_ = new Bar;
    status_bar_->color(tone_colour(Tone::idle));
    status_bar_->labelcolor(FL_WHITE);
    status_bar_->labelsize(14);
    status_bar_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_CLIP);
    licence_button_ = new Fl_Button(0, 0, 0, 0, "Licence…");
    licence_button_->tooltip("the licence's details, and activating a licence key");
    on_click(licence_button_, [this] {
        if (shown_) licence_dialog_->open(*this, shown_->licence);
    });
    layout_bottom();
    resizable(tabs_);
    end();
    // A window of its own (created outside this one's begin/end), shown on demand.
    licence_dialog_ = std::make_unique<LicenceDialog>(host_);

    load_form(form_from_config(config_document_, package_schemas_));
    callback([](Fl_Widget* window, void*) { static_cast<PanelWindow*>(window)->close_requested(); });
    Fl::add_timeout(tick_seconds, on_tick, this);
}

void PanelWindow::close_requested() {
    // Closing stops the host: mid-match that loses the rest of the match's events, so ask first.
    if (shown_ && match_is_live(*shown_)) {
        const std::string title = live_match(*shown_, flags_folder_, nullptr).title;
        if (fl_choice("%s is live: closing the panel stops storing its events and running the workflows.", "Keep open",
                      "Close anyway", nullptr, title.c_str()) != 1)
            return;
        spdlog::warn("panel: closed by the operator while {} was live", title);
    }
    licence_dialog_->hide();  // the event loop runs while any window is shown
    hide();
}

PanelWindow::~PanelWindow() { Fl::remove_timeout(on_tick, this); }

void PanelWindow::on_click(Fl_Widget* widget, std::function<void()> action) {
    // The window owns the action: its widgets, and so their callbacks, never outlive it.
    const auto& owned = click_actions_.emplace_back(std::make_unique<std::function<void()>>(std::move(action)));
    widget->callback([](Fl_Widget*, void* data) { (*static_cast<std::function<void()>*>(data))(); }, owned.get());
}

void PanelWindow::build_settings(int x, int y, int w, int h) {
    auto* tab = new Fl_Group(x, y, w, h, "Settings");
    auto* scroll = new Fl_Scroll(x, y, w, h - 80);
    scroll->type(Fl_Scroll::VERTICAL);
    settings_ = std::make_unique<SettingsWidgets>();
    auto& s = *settings_;
    const int lx = x + 190, fw = std::min(w - 200, 420);
    int row = y + 8;
    auto field = [&](const char* label, int width = 0) {
        auto* input = new Fl_Input(lx, row, width ? width : fw, 26, label);
        row += 30;
        return input;
    };
    s.udp_bind = field("UDP bind address");
    s.udp_port = field("UDP port", 90);
    s.udp_allow = field("UDP allowed senders");
    s.udp_allow->tooltip("addresses separated by commas; empty allows every sender");
    auto* heading =
        new Fl_Box(x + 5, row, w - 10, 22, "OBS connections: name, role (rec/str/both), host, port, password");
    heading->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT);
    row += 24;
    for (int i = 0; i < obs_form_rows; ++i) {
        SettingsWidgets::ObsRow r;
        r.name = new Fl_Input(x + 10, row, 110, 26);
        r.role = new Fl_Input(x + 125, row, 50, 26);
        r.host = new Fl_Input(x + 180, row, 130, 26);
        r.port = new Fl_Input(x + 315, row, 60, 26);
        r.password = new Fl_Secret_Input(x + 380, row, 120, 26);
        r.password->tooltip("typed passwords are saved in the secrets file; empty keeps the stored one");
        s.obs.push_back(r);
        row += 30;
    }
    // Each package's settings from its manifest's schema: the doc as tooltip, a widget for the type.
    s.package_settings = form_from_config(nlohmann::json::object(), package_schemas_).package_settings;
    std::string shown_package;
    for (const auto& setting : s.package_settings) {
        if (setting.package != shown_package) {
            shown_package = setting.package;
            auto* title = new Fl_Box(x + 5, row, w - 10, 22);
            title->copy_label(("Workflow " + menu_text(setting.package)).c_str());
            title->labelfont(FL_HELVETICA_BOLD);
            title->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT);
            row += 24;
        }
        const auto& f = setting.field;
        const std::string label = f.label.empty() ? f.key : f.label;
        Fl_Widget* input = nullptr;
        if (f.type == bindings::ConfigType::boolean) {
            input = new Fl_Check_Button(lx, row, 26, 26);
            input->align(FL_ALIGN_LEFT);
        } else if (!f.choices.empty()) {
            auto* choice = new Fl_Choice(lx, row, fw, 26);
            for (const auto& c : f.choices)
                choice->add(menu_text(c.is_string() ? c.get<std::string>() : c.dump()).c_str());
            input = choice;
        } else {
            const bool numeric = f.type != bindings::ConfigType::string;
            input = new Fl_Input(lx, row, numeric ? 90 : fw, 26);
        }
        input->copy_label(label.c_str());
        input->copy_tooltip((f.doc + " (" + setting.package + "." + f.key + ")").c_str());
        s.package_inputs.push_back(input);
        row += 30;
    }
    s.mpv = field("mpv program");
    s.flags_folder = field("Flags folder");
    s.flags_folder->tooltip("a folder of <NOC>.png images; empty: the overlays' flags (iso-flags-svg)");
    s.shortcut_replay = field("Shortcut: Replay", 140);
    s.shortcut_back_to_live = field("Shortcut: Back to live", 140);
    s.shortcut_manual = field("Shortcut: Manual mode", 140);
    scroll->end();
    const int by = y + h - 75;
    auto* save = new Fl_Button(x + 5, by, 110, 32, "Save");
    on_click(save, [this] { save_settings(); });
    auto* import = new Fl_Button(x + 120, by, 110, 32, "Import...");
    on_click(import, [this] { import_settings(); });
    auto* export_button = new Fl_Button(x + 235, by, 110, 32, "Export...");
    on_click(export_button, [this] { export_settings(); });
    auto* revert = new Fl_Button(x + 350, by, 110, 32, "Revert");
    on_click(revert, [this] {
        load_form(form_from_config(config_document_, package_schemas_));
        show_settings_message("form reset to " + config_file_.string(), false);
    });
    s.message = new Fl_Box(x + 5, by + 36, w - 10, 36);
    s.message->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_WRAP);
    tab->resizable(scroll);
    tab->end();
}

void PanelWindow::load_form(const SettingsForm& f) {
    auto& s = *settings_;
    s.udp_bind->value(f.udp_bind.c_str());
    s.udp_port->value(f.udp_port.c_str());
    s.udp_allow->value(f.udp_allow.c_str());
    for (std::size_t i = 0; i < s.obs.size(); ++i) {
        const ObsConnectionFields c = i < f.obs.size() ? f.obs[i] : ObsConnectionFields{};
        s.obs[i].name->value(c.name.c_str());
        s.obs[i].role->value(c.role.c_str());
        s.obs[i].host->value(c.host.c_str());
        s.obs[i].port->value(c.port.c_str());
        s.obs[i].password->value(c.password.c_str());
    }
    for (std::size_t i = 0; i < s.package_inputs.size() && i < f.package_settings.size(); ++i) {
        const auto& setting = f.package_settings[i];
        if (auto* check = dynamic_cast<Fl_Check_Button*>(s.package_inputs[i]))
            check->value(setting.value == "true");
        else if (auto* choice = dynamic_cast<Fl_Choice*>(s.package_inputs[i])) {
            const auto& choices = setting.field.choices;
            for (std::size_t c = 0; c < choices.size(); ++c)
                if ((choices[c].is_string() ? choices[c].get<std::string>() : choices[c].dump()) == setting.value)
                    choice->value(int(c));
        } else
            static_cast<Fl_Input*>(s.package_inputs[i])->value(setting.value.c_str());
    }
    s.mpv->value(f.mpv.c_str());
    s.flags_folder->value(f.flags_folder.c_str());
    s.shortcut_replay->value(f.shortcut_replay.c_str());
    s.shortcut_back_to_live->value(f.shortcut_back_to_live.c_str());
    s.shortcut_manual->value(f.shortcut_manual.c_str());
}

SettingsForm PanelWindow::read_form() const {
    const auto& s = *settings_;
    SettingsForm f;
    f.udp_bind = s.udp_bind->value();
    f.udp_port = s.udp_port->value();
    f.udp_allow = s.udp_allow->value();
    for (const auto& r : s.obs)
        f.obs.push_back({r.name->value(), r.role->value(), r.host->value(), r.port->value(), r.password->value()});
    f.package_settings = s.package_settings;
    for (std::size_t i = 0; i < s.package_inputs.size(); ++i) {
        auto& setting = f.package_settings[i];
        if (auto* check = dynamic_cast<Fl_Check_Button*>(s.package_inputs[i]))
            setting.value = check->value() ? "true" : "false";
        else if (auto* choice = dynamic_cast<Fl_Choice*>(s.package_inputs[i])) {
            const auto& c = setting.field.choices.at(std::size_t(std::max(choice->value(), 0)));
            setting.value = c.is_string() ? c.get<std::string>() : c.dump();
        } else
            setting.value = static_cast<Fl_Input*>(s.package_inputs[i])->value();
    }
    f.mpv = s.mpv->value();
    f.flags_folder = s.flags_folder->value();
    f.shortcut_replay = s.shortcut_replay->value();
    f.shortcut_back_to_live = s.shortcut_back_to_live->value();
    f.shortcut_manual = s.shortcut_manual->value();
    return f;
}

void PanelWindow::show_settings_message(const std::string& text, bool error) {
    settings_->message->labelcolor(error ? fl_rgb_color(200, 40, 40) : fl_rgb_color(30, 120, 60));
    set_label(settings_->message, text);
}

void PanelWindow::save_settings() {
    const FormCheck check = apply_form(read_form(), config_document_);
    if (!check.document) return show_settings_message(check.error, true);
    if (const auto problem = ui::save_settings(config_file_, check, secrets::read_machine_identity()); !problem.empty())
        return show_settings_message(problem, true);
    std::vector<std::string> secrets_written;
    for (const auto& [name, value] : check.secrets) secrets_written.push_back(name);
    host_.settings_saved(config_document_, *check.document, secrets_written);
    config_document_ = *check.document;
    load_form(form_from_config(config_document_, package_schemas_));  // typed passwords now live in the secrets file
    const auto parsed = host::parse_config(config_document_);
    apply_shortcuts(parsed.config->panel.shortcuts);
    flags_folder_ = parsed.config->panel.flags_folder;
    spdlog::info("panel: settings saved to {} (previous kept as {}.bak)", config_file_.string(), config_file_.string());
    show_settings_message("saved to " + config_file_.string() +
                              " (previous kept as .bak). Shortcuts and flags apply "
                              "now; connections and workflow settings when the panel starts again.",
                          false);
}

void PanelWindow::import_settings() {
    Fl_Native_File_Chooser chooser;
    chooser.title("Import a config file");
    chooser.filter("JSON\t*.json");
    if (chooser.show() != 0) return;
    const ConfigFile read = read_config_file(chooser.filename());
    if (!read.document) return show_settings_message(read.error, true);
    load_form(form_from_config(*read.document, package_schemas_));
    host_.settings_imported(chooser.filename(), config_document_, *read.document);
    show_settings_message(std::string("imported ") + chooser.filename() + ": check it, then Save", false);
}

void PanelWindow::export_settings() {
    const FormCheck check = apply_form(read_form(), config_document_);
    if (!check.document) return show_settings_message(check.error, true);
    Fl_Native_File_Chooser chooser(Fl_Native_File_Chooser::BROWSE_SAVE_FILE);
    chooser.title("Export the settings");
    chooser.filter("JSON\t*.json");
    chooser.options(Fl_Native_File_Chooser::SAVEAS_CONFIRM);
    if (chooser.show() != 0) return;
    if (const auto problem = save_config_file(chooser.filename(), without_secrets(*check.document)); !problem.empty())
        return show_settings_message(problem, true);
    show_settings_message(std::string("exported to ") + chooser.filename() + " (without passwords)", false);
}

void PanelWindow::apply_shortcuts(const host::PanelShortcuts& shortcuts) {
    // The config was validated, so each parses.
    replay_key_ = parse_shortcut(shortcuts.replay).value_or(KeyChord{});
    back_to_live_key_ = parse_shortcut(shortcuts.back_to_live).value_or(KeyChord{});
    manual_key_ = parse_shortcut(shortcuts.manual_mode).value_or(KeyChord{});
    mute_key_ = parse_shortcut(shortcuts.toggle_mute).value_or(KeyChord{});
    stream_key_ = parse_shortcut(shortcuts.toggle_stream).value_or(KeyChord{});
    record_key_ = parse_shortcut(shortcuts.toggle_record).value_or(KeyChord{});
    for (std::size_t i = 0; i < scene_keys_.size(); ++i)
        scene_keys_[i] = parse_shortcut(shortcuts.scenes[i]).value_or(KeyChord{});
    scene_shortcuts_ = shortcuts.scenes;
    mute_shortcut_ = shortcuts.toggle_mute;
    stream_shortcut_ = shortcuts.toggle_stream;
    record_shortcut_ = shortcuts.toggle_record;
    replay_button_->copy_label(("Replay  " + shortcuts.replay).c_str());
    scene_names_.clear();  // the scene buttons' tooltips name their keys: rebuilt with the next snapshot
    if (shown_) render_on_air(*shown_);
}

void PanelWindow::build_on_air(int x, int y, int w) {
    // Row 1: OBS_STR's scenes, one button each (rebuilt when its scene list changes); row 2: stream, recording and
    // main audio.
    scene_strip_ = new Fl_Group(x, y, w, 32);
    scene_strip_->user_data(this);
    scene_hint_ = new Fl_Box(x, y, w, 32, "OBS_STR's scenes show here once the host has read them from OBS");
    scene_hint_->box(FL_FLAT_BOX);
    scene_hint_->color(fl_rgb_color(225, 225, 225));
    scene_hint_->labelsize(13);
    scene_hint_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_CLIP);
    scene_strip_->end();
    const int row = y + 36, third = (w - 10) / 3;
    stream_button_ = new Fl_Button(x, row, third, 36);
    on_click(stream_button_, [this] { toggle_stream(); });
    record_button_ = new Fl_Button(x + third + 5, row, third, 36);
    on_click(record_button_, [this] { toggle_record(); });
    mute_button_ = new Fl_Button(x + 2 * (third + 5), row, w - 2 * (third + 5), 36);
    on_click(mute_button_, [this] { toggle_mute(); });
    for (auto* b : {stream_button_, record_button_, mute_button_}) {
        b->labelfont(FL_HELVETICA_BOLD);
        b->labelcolor(FL_WHITE);
        b->color(off_air);
        b->deactivate();  // until a snapshot says the connection is there
    }
}

void PanelWindow::render_on_air(const host::HostSnapshot& snapshot) {
    on_air_ = on_air(snapshot);
    const OnAirView& v = on_air_;
    std::vector<std::string> names;
    for (const auto& scene : v.scenes) names.push_back(scene.name);
    if (names != scene_names_) {
        for (auto* b : scene_buttons_) {
            scene_strip_->remove(b);
            Fl::delete_widget(b);
        }
        scene_buttons_.clear();
        scene_names_ = names;
        const std::size_t shown = std::min<std::size_t>(names.size(), scene_keys_.size());
        const int gap = 4, bw = shown ? (scene_strip_->w() - gap * (int(shown) - 1)) / int(shown) : 0;
        scene_strip_->begin();
        for (std::size_t i = 0; i < shown; ++i) {
            auto* b = new Fl_Button(scene_strip_->x() + int(i) * (bw + gap), scene_strip_->y(), bw, 32);
            b->copy_label(names[i].c_str());
            b->copy_tooltip(("program scene of " + v.str_connection + " (" + scene_shortcuts_[i] + ")").c_str());
            b->labelfont(FL_HELVETICA_BOLD);
            b->callback(
                [](Fl_Widget* button, void* index) {
                    static_cast<PanelWindow*>(button->parent()->user_data())
                        ->switch_scene(std::size_t(reinterpret_cast<std::intptr_t>(index)));
                },
                reinterpret_cast<void*>(std::intptr_t(i)));
            fit_label(b, 15, 9);
            scene_buttons_.push_back(b);
        }
        scene_strip_->end();
        if (scene_buttons_.empty())
            scene_hint_->show();
        else
            scene_hint_->hide();
        scene_strip_->redraw();
        spdlog::info(
            "panel: on-air scenes of {}: {}", v.str_connection.empty() ? "none" : v.str_connection,
            names.empty() ? "none" : [&] {
                std::string list;
                for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
                return list;
            }());
        log_control_boxes();
    }
    for (std::size_t i = 0; i < scene_buttons_.size(); ++i) {
        Fl_Button* b = scene_buttons_[i];
        const bool current = v.scenes[i].current;
        const Fl_Color colour = current ? tally : FL_BACKGROUND_COLOR;
        if (b->color() != colour) {
            b->color(colour);
            b->labelcolor(current ? FL_WHITE : FL_BLACK);
            b->redraw();
        }
        if (v.str_connected)
            b->activate();
        else
            b->deactivate();
    }
    const auto place = [this](int which, Fl_Button* b, const std::string& label, Fl_Color colour, Fl_Color text,
                              bool active) {
        if (!b->label() || label != b->label()) {
            b->copy_label(label.c_str());
            fit_label(b, 15, 10);
            // Logged when what it says changes, not its running time: the UI tests read it.
            std::string shape = label;
            for (char& c : shape)
                if (c >= '0' && c <= '9') c = '#';
            if (shape != on_air_logged_[std::size_t(which)]) {
                on_air_logged_[std::size_t(which)] = shape;
                const char* names[] = {"stream", "record", "mute"};
                spdlog::info("panel: {} button shows {}", names[which], label);
            }
        }
        b->color(colour);
        b->labelcolor(text);
        if (active)
            b->activate();
        else
            b->deactivate();
        b->redraw();
    };
    place(0, stream_button_, v.stream_label + "  " + stream_shortcut_, v.streaming ? tally : off_air, FL_WHITE,
          v.str_connected);
    place(1, record_button_, v.record_label + "  " + record_shortcut_, v.recording ? tally : off_air, FL_WHITE,
          v.rec_connected);
    const Fl_Color mute_colour = !v.muted ? off_air : *v.muted ? tone_colour(Tone::busy) : tone_colour(Tone::good);
    place(2, mute_button_, v.mute_label + "  " + mute_shortcut_, mute_colour, v.muted && *v.muted ? FL_BLACK : FL_WHITE,
          v.str_connected);
}

void PanelWindow::switch_scene(std::size_t index) {
    if (index >= on_air_.scenes.size() || !on_air_.str_connected) return;
    host_.post_control_room(
        {host::ControlRoomOperation::set_scene, {on_air_.str_connection}, on_air_.scenes[index].name});
}

void PanelWindow::toggle_stream() {
    if (!on_air_.str_connected) return;
    host_.post_control_room(
        {on_air_.streaming ? host::ControlRoomOperation::stop_stream : host::ControlRoomOperation::start_stream,
         {on_air_.str_connection},
         ""});
}

void PanelWindow::toggle_record() {
    if (on_air_.rec_connected) host_.post_recording(!on_air_.recording);
}

void PanelWindow::toggle_mute() {
    // OBS flips its own state: a mute from elsewhere since the last poll is not undone.
    if (on_air_.str_connected)
        host_.post_control_room({host::ControlRoomOperation::toggle_mute, {on_air_.str_connection}, ""});
}

void PanelWindow::build_control_room(int x, int y, int w, int h) {
    control_tab_ = new Fl_Group(x, y, w, h, "Control room");
    bulk_scene_ = new Fl_Choice(x + 55, y + 6, 170, 28, "Scene");
    bulk_scene_->tooltip("the scenes of the chosen connections");
    bulk_switch_ = new Fl_Button(x + 230, y + 6, 70, 28, "Switch");
    on_click(bulk_switch_, [this] { bulk(host::ControlRoomOperation::set_scene); });
    const char* labels[] = {"Start stream", "Stop stream", "Mute audio", "Unmute"};
    const host::ControlRoomOperation operations[] = {
        host::ControlRoomOperation::start_stream, host::ControlRoomOperation::stop_stream,
        host::ControlRoomOperation::mute, host::ControlRoomOperation::unmute};
    int bx = x + 310;
    for (int i = 0; i < 4; ++i) {
        const int bw = i == 3 ? 80 : 105;
        bulk_buttons_[i] = new Fl_Button(bx, y + 6, bw, 28, labels[i]);
        on_click(bulk_buttons_[i], [this, operation = operations[i]] { bulk(operation); });
        bx += bw + 5;
    }
    bulk_summary_ =
        new Fl_Box(x + 5, y + 38, w - 10, 26, "Choose connections below (all STR at first), then an action");
    bulk_summary_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_CLIP);
    bulk_summary_->labelfont(FL_HELVETICA_BOLD);
    control_table_ = new ControlRoomTable(x + 5, y + 68, w - 10, h - 73);
    control_table_->callback([](Fl_Widget* table, void*) {
        auto* self = static_cast<PanelWindow*>(table->window());
        if (self->shown_) self->render_control_room(*self->shown_);
    });
    control_tab_->resizable(control_table_);
    control_tab_->end();
}

void PanelWindow::bulk(host::ControlRoomOperation operation) {
    const auto chosen = control_table_->chosen();
    if (chosen.empty()) return set_label(bulk_summary_, "No connection chosen: tick one or more rows below");
    host::ControlRoomRequest request{operation, chosen, ""};
    if (operation == host::ControlRoomOperation::set_scene) {
        const int index = bulk_scene_->value();
        if (index < 0 || std::size_t(index) >= bulk_scene_names_.size())
            return set_label(bulk_summary_, "No scene to switch to: the chosen connections have told none yet");
        request.scene = bulk_scene_names_[std::size_t(index)];
    }
    host_.post_control_room(std::move(request));
}

void PanelWindow::render_control_room(const host::HostSnapshot& snapshot) {
    control_table_->show_rows(control_room_rows(snapshot));
    const auto scenes = bulk_scenes(snapshot, control_table_->chosen());
    if (scenes != bulk_scene_names_) {
        const std::string current =
            bulk_scene_->value() >= 0 && std::size_t(bulk_scene_->value()) < bulk_scene_names_.size()
                ? bulk_scene_names_[std::size_t(bulk_scene_->value())]
                : "";
        bulk_scene_->clear();
        for (const auto& scene : scenes) bulk_scene_->add(menu_text(scene).c_str());
        const auto found = std::find(scenes.begin(), scenes.end(), current);
        if (!scenes.empty()) bulk_scene_->value(found == scenes.end() ? 0 : int(found - scenes.begin()));
        bulk_scene_names_ = scenes;
        bulk_scene_->redraw();
    }
    const std::string summary = control_room_summary(snapshot);
    if (!summary.empty()) {
        set_label(bulk_summary_, summary);
        bool failed = false;
        for (const auto& o : snapshot.control_room->outcomes)
            failed = failed || o.state == host::ControlRoomOutcome::State::failed;
        bulk_summary_->labelcolor(failed ? tone_colour(Tone::bad) : FL_BLACK);
    }
    // What the tab shows, once per change: the UI tests wait on it.
    std::string shown =
        std::to_string(snapshot.obs.size()) + " connections, " + std::to_string(scenes.size()) + " scenes";
    for (const auto& row : control_room_rows(snapshot))
        if (!row.result.empty()) shown += "; " + row.name + " " + row.result;
    if (shown != control_room_shown_) {
        control_room_shown_ = shown;
        spdlog::info("panel: control room shows {}", shown);
    }
}

void PanelWindow::log_control_boxes() const {
    const auto log_box = [](const std::string& what, const Fl_Widget* w) {
        spdlog::info("panel: {} at {},{} size {}x{}", what, w->x(), w->y(), w->w(), w->h());
    };
    log_box("stream button", stream_button_);
    log_box("record button", record_button_);
    log_box("mute button", mute_button_);
    for (std::size_t i = 0; i < scene_buttons_.size(); ++i)
        log_box("scene button " + scene_names_[i], scene_buttons_[i]);
    log_box("control room scene choice", bulk_scene_);
    log_box("control room switch", bulk_switch_);
    const char* names[] = {"start stream", "stop stream", "mute", "unmute"};
    for (int i = 0; i < 4; ++i) log_box("control room " + std::string(names[i]), bulk_buttons_[i]);
    log_box("control room table", control_table_);
}

void PanelWindow::set_manual_mode(bool on) {
    manual_button_->value(on);
    if (on) {
        manual_input_->activate();
        manual_send_->activate();
        manual_input_->take_focus();
    } else {
        manual_input_->deactivate();
        manual_send_->deactivate();
    }
}

void PanelWindow::send_manual() {
    const std::string text = manual_input_->value();
    if (text.empty() || !manual_button_->value()) return;
    host_.post_manual(text);
    manual_input_->value("");
}

void PanelWindow::play_selected_event() {
    const int line = events_->value();
    if (line < 1 || std::size_t(line) > event_clips_.size()) return;
    const auto& [clip, offset] = event_clips_[line - 1];
    if (!clip) return spdlog::info("panel: event {} has no clip to play", event_ids_[line - 1]);
    host_.post_play_clip(*clip, offset);
}

std::optional<std::string> PanelWindow::selected_workflow() const {
    const int line = workflows_->value();
    if (line < 1 || std::size_t(line) > workflow_names_.size()) return std::nullopt;
    return workflow_names_[line - 1];
}

void PanelWindow::draw() {
    Fl_Double_Window::draw();
    if (w() == drawn_w_ && h() == drawn_h_) return;
    drawn_w_ = w();
    drawn_h_ = h();
    const Fl_Box* red_flag = athletes_[1].flag;
    spdlog::info("panel: drawn at {}x{}; red flag at {},{} size {}x{}", drawn_w_, drawn_h_, red_flag->x(),
                 red_flag->y(), red_flag->w(), red_flag->h());
}

int PanelWindow::handle(int event) {
    // FL_SHORTCUT comes only for keys the focused widget did not use: a letter shortcut cannot fire
    // while the operator types a manual event.
    if (event == FL_SHORTCUT) {
        const int key = Fl::event_key(), state = Fl::event_state();
        if (matches(replay_key_, key, state)) {
            host_.post_replay();
            return 1;
        }
        if (matches(back_to_live_key_, key, state)) {
            host_.post_back_to_live();
            return 1;
        }
        if (matches(manual_key_, key, state)) {
            set_manual_mode(!manual_button_->value());
            return 1;
        }
        if (matches(mute_key_, key, state)) {
            toggle_mute();
            return 1;
        }
        if (matches(stream_key_, key, state)) {
            toggle_stream();
            return 1;
        }
        if (matches(record_key_, key, state)) {
            toggle_record();
            return 1;
        }
        for (std::size_t i = 0; i < scene_keys_.size(); ++i)
            if (matches(scene_keys_[i], key, state)) {
                switch_scene(i);
                return 1;
            }
        if (key == FL_Escape) return 1;  // Escape must not close the panel mid-match
    }
    return Fl_Double_Window::handle(event);
}

void PanelWindow::deliver(std::shared_ptr<const host::HostSnapshot> snapshot) {
    std::lock_guard lock(pending_mutex_);
    pending_ = std::move(snapshot);
    ++figures_.snapshots_received;
    if (wake_pending_) return;
    wake_pending_ = true;
    Fl::awake(on_awake, this);
}

std::array<int, 4> PanelWindow::replay_button_box() const {
    return {replay_button_->x(), replay_button_->y(), replay_button_->w(), replay_button_->h()};
}

std::array<int, 4> PanelWindow::add_day_button_box() const {
    return {add_day_button_->x(), add_day_button_->y(), add_day_button_->w(), add_day_button_->h()};
}

std::array<int, 4> PanelWindow::licence_button_box() const {
    return {licence_button_->x(), licence_button_->y(), licence_button_->w(), licence_button_->h()};
}

void PanelWindow::resize(int x, int y, int w, int h) {
    Fl_Double_Window::resize(x, y, w, h);
    layout_bottom();
}

void PanelWindow::layout_bottom() {
    // The rest of the window scales with the tabs (the resizable); these keep their height along the bottom.
    const int status_y = h() - margin - status_bar_h;
    const int licence_x = w() - 2 * margin - licence_button_w - licence_status_w;
    health_bar_->resize(margin, status_y, licence_x - 2 * margin, status_bar_h);
    status_bar_->resize(licence_x, status_y, licence_status_w, status_bar_h);
    licence_button_->resize(w() - margin - licence_button_w, status_y, licence_button_w, status_bar_h);
    const int band_y = status_y - margin - licence_band_h;
    licence_band_->resize(margin, band_y, w() - 2 * margin, licence_band_h);
    const int tabs_bottom = (licence_band_->visible() ? band_y : status_y) - margin;
    tabs_->resize(tabs_->x(), tabs_->y(), tabs_->w(), tabs_bottom - tabs_->y());
}

PanelFigures PanelWindow::figures() const {
    std::lock_guard lock(pending_mutex_);
    return figures_;
}

void PanelWindow::on_awake(void* data) {
    auto* self = static_cast<PanelWindow*>(data);
    std::shared_ptr<const host::HostSnapshot> snapshot;
    {
        std::lock_guard lock(self->pending_mutex_);
        snapshot = std::move(self->pending_);
        self->wake_pending_ = false;
    }
    if (!snapshot) return;
    const auto started = std::chrono::steady_clock::now();
    self->render(*snapshot);
    const double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    std::lock_guard lock(self->pending_mutex_);
    ++self->figures_.snapshots_rendered;
    self->figures_.max_render_ms = std::max(self->figures_.max_render_ms, took);
}

void PanelWindow::on_tick(void* data) {
    // A timer that should fire every 50 ms: how late it runs is how long the UI thread was busy.
    auto* self = static_cast<PanelWindow*>(data);
    // The first tick only starts the count: showing the window is not a stall.
    const auto now = std::chrono::steady_clock::now();
    if (self->next_tick_) {
        const double late = std::chrono::duration<double, std::milli>(now - *self->next_tick_).count();
        std::lock_guard lock(self->pending_mutex_);
        self->figures_.max_stall_ms = std::max(self->figures_.max_stall_ms, late);
    }
    self->next_tick_ = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(tick_seconds));
    Fl::repeat_timeout(tick_seconds, on_tick, data);
}

void PanelWindow::render(const host::HostSnapshot& snapshot) {
    shown_ = std::make_shared<const host::HostSnapshot>(snapshot);
    render_connections(snapshot);
    render_match(snapshot);
    render_days(snapshot);
    render_on_air(snapshot);
    Fl_Widget* tab = tabs_->value();
    if (tab == events_tab_) render_events(snapshot);
    if (tab == control_tab_) render_control_room(snapshot);
    if (tab == workflows_tab_) render_workflows(snapshot);
    if (tab == log_tab_) {
        render_log(snapshot);
        audit_->render(snapshot);
    }
    render_licence(snapshot);
    health_bar_->render(snapshot.health);
}

void PanelWindow::render_licence(const host::HostSnapshot& snapshot) {
    const LicenceStatus status = licence_status(snapshot.licence);
    if (!status_bar_->label() || status.text != status_bar_->label()) {
        spdlog::info("panel: licence status '{}'", status.text);
        set_label(status_bar_, status.text);
        status_bar_->copy_tooltip(status.text.c_str());
        status_bar_->color(tone_colour(status.tone));
    }

    if (licence_dialog_->shown()) licence_dialog_->render(snapshot.licence);

    const bool was_shown = licence_band_->visible();
    if (status.band == (was_shown && licence_band_->label() ? licence_band_->label() : "")) return;
    if (status.band.empty()) {
        licence_band_->hide();
        spdlog::info("panel: licence band hidden");
    } else {
        set_label(licence_band_, status.band);
        licence_band_->color(tone_colour(status.band_tone));
        // White on the red, black on the amber: both must read from across the desk.
        licence_band_->labelcolor(status.band_tone == Tone::busy ? FL_BLACK : FL_WHITE);
        licence_band_->show();
    }
    if (was_shown != licence_band_->visible()) {
        layout_bottom();
        redraw();
    }
    if (licence_band_->visible())
        spdlog::info("panel: licence band at {},{} size {}x{}: {}", licence_band_->x(), licence_band_->y(),
                     licence_band_->w(), licence_band_->h(), status.band);
}

void PanelWindow::render_days(const host::HostSnapshot& snapshot) {
    set_label(day_box_, active_day_text(snapshot));
    set_label(day_error_, snapshot.day_change_error);
    auto choices = day_choices(snapshot);
    const bool same =
        choices.size() == day_choices_.size() &&
        std::equal(choices.begin(), choices.end(), day_choices_.begin(),
                   [](const DayChoice& a, const DayChoice& b) { return a.day_id == b.day_id && a.label == b.label; });
    if (same) return;  // rebuilding would drop what the operator has chosen
    day_choice_->clear();
    int active = 0;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        day_choice_->add(menu_text(choices[i].label).c_str());
        if (choices[i].active) active = int(i);
    }
    if (!choices.empty()) day_choice_->value(active);
    day_choices_ = std::move(choices);
    day_choice_->redraw();
}

std::optional<DayChoice> PanelWindow::selected_day() const {
    const int index = day_choice_->value();
    if (index < 0 || std::size_t(index) >= day_choices_.size()) return std::nullopt;
    return day_choices_[std::size_t(index)];
}

void PanelWindow::render_connections(const host::HostSnapshot& snapshot) {
    const auto rows = connection_rows(snapshot);
    for (std::size_t i = 0; i < connection_boxes_.size() && i < rows.size(); ++i) {
        auto* box = connection_boxes_[i];
        box->color(tone_colour(rows[i].tone));
        set_label(box, " " + rows[i].name + ": " + rows[i].state + "\n " + rows[i].detail);
        box->redraw();
    }
}

void PanelWindow::render_match(const host::HostSnapshot& snapshot) {
    const LiveMatchView view = live_match(snapshot, flags_folder_, nocs_ ? &*nocs_ : nullptr);
    if (!view.present) return set_label(match_title_, "No match loaded");
    set_label(match_title_, view.title);
    for (int side = 0; side < 2; ++side) {
        const AthleteView& a = view.athletes[side];
        auto& w = athletes_[side];
        // The NOC first and the font shrunk to fit: a long name must not push the NOC out of sight.
        set_label(w.name, a.noc.empty() ? a.name : a.noc + "  " + a.name);
        fit_label(w.name, 20, 12);
        set_label(w.score, std::to_string(a.score));
        std::string detail = "rounds";
        for (int r : a.round_scores) detail += " " + std::to_string(r);
        detail += " · warnings " + std::to_string(a.warnings);
        if (!a.injury.empty()) detail += " · " + a.injury;
        if (!a.challenge.empty()) detail += " · " + a.challenge;
        set_label(w.detail, detail);
        const std::string flag = a.flag ? a.flag->string() : "";
        if (flag != flag_paths_[side]) {
            flag_paths_[side] = flag;
            flag_images_[side].reset();
            if (a.flag && a.flag->extension() == ".svg") {
                flag_images_[side] = render_svg(*a.flag, 60, 40);
            } else if (!flag.empty()) {
                Fl_PNG_Image original(flag.c_str());
                if (original.w() > 0) flag_images_[side].reset(original.copy(60, 40));
            }
            w.flag->image(flag_images_[side].get());
            w.flag->redraw();
            spdlog::info("panel: flag of the {} athlete: {}{}", side == 0 ? "blue" : "red",
                         flag.empty() ? "none" : flag, flag.empty() || flag_images_[side] ? "" : " (cannot be read)");
        }
    }
    set_label(round_clock_, view.round + "   " + view.clock + (view.clock_running ? "  running" : "  stopped"));
    set_label(match_status_, view.status);
}

void PanelWindow::render_events(const host::HostSnapshot& snapshot) {
    // Keep the filter choices in step with the kinds seen.
    const auto kinds = event_kinds(snapshot);
    if (std::size_t(event_filter_->size() - 2) != kinds.size()) {
        const std::string current = event_filter_->text() ? event_filter_->text() : "all";
        event_filter_->clear();
        event_filter_->add("all");
        for (const auto& k : kinds) event_filter_->add(k.c_str());
        const int found = event_filter_->find_index(current.c_str());
        event_filter_->value(found < 0 ? 0 : found);
    }
    const std::string kind = event_filter_->text() ? event_filter_->text() : "all";
    const auto rows = event_rows(snapshot, kind);
    const int selected = events_->value();
    const std::int64_t selected_id =
        selected > 0 && std::size_t(selected) <= event_ids_.size() ? event_ids_[selected - 1] : 0;
    const int top = events_->topline();
    events_->clear();
    event_ids_.clear();
    event_clips_.clear();
    for (const auto& r : rows) {
        const Fl_Color colour = !r.source.empty() ? fl_rgb_color(150, 60, 160)
                                : r.clip_path     ? fl_rgb_color(20, 100, 180)
                                                  : FL_BLACK;
        events_->add(
            browser_line({r.time, r.code, r.round_clock, r.text, r.source, r.clip, r.offsets}, colour).c_str());
        event_ids_.push_back(r.id);
        event_clips_.emplace_back(r.clip_path, r.clip_offset_ms);
        if (r.id == selected_id) events_->value(events_->size());
    }
    events_->topline(top);
}

void PanelWindow::render_workflows(const host::HostSnapshot& snapshot) {
    const auto rows = workflow_rows(snapshot);
    const int selected = workflows_->value();
    workflows_->clear();
    workflow_names_.clear();
    workflow_folders_.clear();
    for (const auto& r : rows) {
        workflows_->add(browser_line({r.name, r.version, r.state, r.last_error}, tone_colour(r.tone)).c_str());
        workflow_names_.push_back(r.name);
        workflow_folders_.push_back(r.folder);
    }
    if (selected > 0 && selected <= workflows_->size()) workflows_->value(selected);
}

void PanelWindow::render_log(const host::HostSnapshot& snapshot) {
    const std::uint64_t newest = snapshot.log.empty() ? 0 : snapshot.log.back().sequence;
    if (newest == log_shown_sequence_ && log_->size() > 0) return;
    log_shown_sequence_ = newest;
    const bool at_bottom = log_->size() == 0 || log_->displayed(log_->size());
    log_->clear();
    const std::string level = log_level_->text() ? log_level_->text() : "info";
    for (const auto& r : log_rows(snapshot, level))
        log_->add(
            browser_line({r.time, r.level, r.text}, r.tone == Tone::idle ? FL_BLACK : tone_colour(r.tone)).c_str());
    if (at_bottom) log_->bottomline(log_->size());
}

}  // namespace vta::ui
