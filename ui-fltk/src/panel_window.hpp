// The panel's main window: renders view models of the latest host snapshot and turns clicks and
// shortcuts into host actions. Lives on the FLTK thread only.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <FL/Fl_Double_Window.H>

#include "vta/host/config.hpp"
#include "vta/host/operator_actions.hpp"
#include "vta/host/host.hpp"
#include "vta/ui/control_room_view.hpp"
#include "vta/ui/settings.hpp"
#include "vta/ui/shortcut.hpp"
#include "vta/ui/view_models.hpp"

class Fl_Box;
class Fl_Browser;
class Fl_Button;
class Fl_Choice;
class Fl_Group;
class Fl_Hold_Browser;
class Fl_Input;
class Fl_Light_Button;
class Fl_Secret_Input;
class Fl_Tabs;
class Fl_Image;

namespace vta::ui {

class AuditView;
class ControlRoomTable;
class LicenceDialog;

struct PanelFigures {
    std::uint64_t snapshots_received = 0;  // handed over by the host thread
    std::uint64_t snapshots_rendered = 0;  // drawn (the others were replaced by a newer one first)
    double max_stall_ms = 0;               // longest the UI thread was late for its 50 ms tick
    double max_render_ms = 0;              // longest rendering of one snapshot
};

class HealthBar;

class PanelWindow : public Fl_Double_Window {
public:
    // `packages`: the workflow packages whose settings the Settings tab shows.
    // `nocs`: the overlays' NOC table, for the live match's flags (none: only a PNG flags folder shows flags).
    PanelWindow(int w, int h, host::OperatorActions& host, std::filesystem::path config_file,
                const host::Config& config, std::vector<PackageSchema> packages, std::optional<flags::NocTable> nocs);
    ~PanelWindow() override;

    // From any thread: keeps only the newest snapshot and wakes the FLTK thread once for it.
    void deliver(std::shared_ptr<const host::HostSnapshot> snapshot);
    PanelFigures figures() const;
    // x, y, w, h of the Replay button in the window (the UI test clicks it).
    std::array<int, 4> replay_button_box() const;
    // Likewise for the day selector's Add day button.
    std::array<int, 4> add_day_button_box() const;
    // Likewise for the status bar's Licence… button.
    std::array<int, 4> licence_button_box() const;
    // Logs where the on-air row's and the control room's controls are, for the UI tests.
    void log_control_boxes() const;

    int handle(int event) override;
    // Keeps the licence band and the status bar along the bottom at any size.
    void resize(int x, int y, int w, int h) override;
    // Logs the first drawing at each new window size, so tests (screenshots) wait on it.
    void draw() override;

private:
    int drawn_w_ = 0, drawn_h_ = 0;  // size of the last drawing, see draw()

    // The widgets' callback data, see on_click.
    std::vector<std::unique_ptr<std::function<void()>>> click_actions_;
    struct AthleteWidgets {
        Fl_Box* flag;
        Fl_Box* name;
        Fl_Box* score;
        Fl_Box* detail;
    };
    struct SettingsWidgets;

    static void on_awake(void* self);
    static void on_tick(void* self);
    // Runs `action` when `widget` is clicked (or otherwise triggers its callback).
    void on_click(Fl_Widget* widget, std::function<void()> action);
    void render(const host::HostSnapshot& snapshot);
    void render_connections(const host::HostSnapshot& snapshot);
    void render_match(const host::HostSnapshot& snapshot);
    void render_events(const host::HostSnapshot& snapshot);
    void render_workflows(const host::HostSnapshot& snapshot);
    void render_log(const host::HostSnapshot& snapshot);
    void render_licence(const host::HostSnapshot& snapshot);
    void render_on_air(const host::HostSnapshot& snapshot);
    void render_control_room(const host::HostSnapshot& snapshot);
    void build_on_air(int x, int y, int w);
    void build_control_room(int x, int y, int w, int h);
    // The on-air row's actions, by button or shortcut, on what the last snapshot showed.
    void switch_scene(std::size_t index);
    void toggle_stream();
    void toggle_record();
    void toggle_mute();
    // A bulk action of the control room on the connections chosen in its table.
    void bulk(host::ControlRoomOperation operation);
    void layout_bottom();
    void build_settings(int x, int y, int w, int h);
    void load_form(const SettingsForm& form);
    SettingsForm read_form() const;
    void save_settings();
    void import_settings();
    void export_settings();
    void show_settings_message(const std::string& text, bool error);
    void set_manual_mode(bool on);
    void send_manual();
    void play_selected_event();
    void render_days(const host::HostSnapshot& snapshot);
    void close_requested();
    std::optional<DayChoice> selected_day() const;
    std::optional<std::string> selected_workflow() const;
    void apply_shortcuts(const host::PanelShortcuts& shortcuts);

    host::OperatorActions& host_;  // what the operator does goes through it
    std::filesystem::path config_file_;
    nlohmann::json config_document_;
    std::vector<PackageSchema> package_schemas_;
    std::filesystem::path flags_folder_;
    std::optional<flags::NocTable> nocs_;
    KeyChord replay_key_, back_to_live_key_, manual_key_, mute_key_, stream_key_, record_key_;
    std::array<KeyChord, 9> scene_keys_{};
    std::array<std::string, 9> scene_shortcuts_;

    mutable std::mutex pending_mutex_;
    std::shared_ptr<const host::HostSnapshot> pending_;
    bool wake_pending_ = false;
    std::shared_ptr<const host::HostSnapshot> shown_;
    PanelFigures figures_;
    std::optional<std::chrono::steady_clock::time_point> next_tick_;  // empty until the first tick

    std::vector<Fl_Box*> connection_boxes_;
    Fl_Box* match_title_ = nullptr;
    Fl_Box* round_clock_ = nullptr;
    Fl_Box* match_status_ = nullptr;
    AthleteWidgets athletes_[2] = {};
    std::unique_ptr<Fl_Image> flag_images_[2];  // scaled to the flag box
    std::string flag_paths_[2];
    Fl_Box* day_box_ = nullptr;
    Fl_Choice* day_choice_ = nullptr;
    Fl_Input* new_day_date_ = nullptr;
    Fl_Button* add_day_button_ = nullptr;
    Fl_Input* new_tournament_name_ = nullptr;
    Fl_Box* day_error_ = nullptr;
    std::vector<DayChoice> day_choices_;  // as listed in day_choice_
    Fl_Light_Button* manual_button_ = nullptr;
    Fl_Input* manual_input_ = nullptr;
    Fl_Button* manual_send_ = nullptr;
    Fl_Button* replay_button_ = nullptr;
    // The on-air row: OBS_STR's scenes, its stream and main audio, the recording.
    Fl_Group* scene_strip_ = nullptr;
    Fl_Box* scene_hint_ = nullptr;
    std::vector<Fl_Button*> scene_buttons_;
    std::vector<std::string> scene_names_;  // as the buttons show them
    Fl_Button* stream_button_ = nullptr;
    Fl_Button* record_button_ = nullptr;
    Fl_Button* mute_button_ = nullptr;
    std::string mute_shortcut_, stream_shortcut_, record_shortcut_;
    OnAirView on_air_;                          // as last rendered
    std::array<std::string, 3> on_air_logged_;  // the stream, record and mute labels last logged, digits as '#'
    // The control-room tab.
    Fl_Group* control_tab_ = nullptr;
    ControlRoomTable* control_table_ = nullptr;
    Fl_Choice* bulk_scene_ = nullptr;
    std::vector<std::string> bulk_scene_names_;
    Fl_Button* bulk_switch_ = nullptr;
    Fl_Button* bulk_buttons_[4] = {};  // start stream, stop stream, mute, unmute
    Fl_Box* bulk_summary_ = nullptr;
    std::string control_room_shown_;  // what the tab last logged
    Fl_Tabs* tabs_ = nullptr;
    Fl_Group* events_tab_ = nullptr;
    Fl_Choice* event_filter_ = nullptr;
    Fl_Hold_Browser* events_ = nullptr;
    std::vector<std::int64_t> event_ids_;
    std::vector<std::pair<std::optional<std::string>, std::int64_t>> event_clips_;
    Fl_Group* workflows_tab_ = nullptr;
    Fl_Hold_Browser* workflows_ = nullptr;
    Fl_Box* workflow_error_ = nullptr;
    std::vector<std::string> workflow_names_;
    std::vector<std::filesystem::path> workflow_folders_;
    Fl_Group* log_tab_ = nullptr;
    Fl_Choice* log_level_ = nullptr;
    Fl_Browser* log_ = nullptr;
    AuditView* audit_ = nullptr;
    std::uint64_t log_shown_sequence_ = 0;
    std::unique_ptr<SettingsWidgets> settings_;
    Fl_Box* licence_band_ = nullptr;  // shown only while the licence needs the operator's attention
    Fl_Box* status_bar_ = nullptr;  // the licence, at the right of the health items
    HealthBar* health_bar_ = nullptr;
    Fl_Button* licence_button_ = nullptr;
    std::unique_ptr<LicenceDialog> licence_dialog_;
};

}  // namespace vta::ui
