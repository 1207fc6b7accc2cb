#include "licence_dialog.hpp"

#include <FL/Fl.H>
#include <FL/Fl_Box.H>
#include <FL/Fl_Browser.H>
#include <FL/Fl_Button.H>
#include <FL/Fl_Input.H>
#include <FL/Fl_Secret_Input.H>
#include <spdlog/spdlog.h>

#include "tone_colour.hpp"

namespace vta::ui {

namespace {

constexpr int dialog_w = 700, dialog_h = 420;

// A pasted key or URL often carries a space or a line break at either end.
std::string trimmed(const char* text) {
    const std::string s = text ? text : "";
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace

LicenceDialog::LicenceDialog(host::OperatorActions& host)
    : Fl_Double_Window(dialog_w, dialog_h, "reStrike VTA licence"), host_(host) {
    box(FL_UP_BOX);  // its own edge, also where no window manager frames it
    details_ = new Fl_Browser(10, 10, dialog_w - 20, 230);
    static int detail_columns[] = {200, 0};
    details_->column_widths(detail_columns);
    details_->column_char('\t');

    key_ = new Fl_Secret_Input(110, 252, dialog_w - 120, 30, "Licence key");  // masked: a key is a secret
    key_->tooltip("the key the vendor issued, VTA-XXXXX-XXXXX-XXXXX-XXXXX");
    key_->when(FL_WHEN_ENTER_KEY_ALWAYS);
    key_->callback([](Fl_Widget*, void* self) { static_cast<LicenceDialog*>(self)->activate_key(); }, this);
    server_ = new Fl_Input(110, 288, dialog_w - 120, 30, "Server");
    server_->tooltip("the licence server, http(s)://HOST:PORT");
    activate_ = new Fl_Button(110, 326, 130, 32, "Activate");
    activate_->callback([](Fl_Widget*, void* self) { static_cast<LicenceDialog*>(self)->activate_key(); }, this);
    auto* close = new Fl_Button(dialog_w - 110, 326, 100, 32, "Close");
    close->callback([](Fl_Widget*, void* self) { static_cast<LicenceDialog*>(self)->hide(); }, this);
    activation_ = new Fl_Box(10, 366, dialog_w - 20, 46);
    activation_->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT | FL_ALIGN_TOP | FL_ALIGN_WRAP);
    activation_->labelfont(FL_HELVETICA_BOLD);
    end();
    // Above the panel, never blocking it: the operator may need the panel mid-match while this is open.
    set_non_modal();
}

void LicenceDialog::open(const Fl_Window& over, const host::LicenceView& licence) {
    position(over.x() + (over.w() - w()) / 2, over.y() + 80);
    render(licence);
    show();
    key_->take_focus();
    log_geometry();
}

void LicenceDialog::log_geometry() const {
    const auto box = [](const Fl_Widget* w) { return fmt::format("{},{} size {}x{}", w->x(), w->y(), w->w(), w->h()); };
    spdlog::info("panel: licence dialog '{}' at {},{} size {}x{}; key field at {}; server field at {}; Activate at {}",
                 label(), x(), y(), w(), h(), box(key_), box(server_), box(activate_));
}

void LicenceDialog::activate_key() {
    if (!activate_->active()) return;
    const std::string server = trimmed(server_->value()), key = trimmed(key_->value());
    spdlog::info("panel: licence activation requested with {}", server.empty() ? "the configured server" : server);
    host_.post_activate_licence(server, key);
}

void LicenceDialog::render(const host::LicenceView& licence) {
    const LicenceDialogView view = licence_dialog(licence);
    std::vector<std::string> lines;
    for (const auto& d : view.details) lines.push_back("@b@." + d.label + "\t@." + d.value);
    if (lines != shown_lines_) {
        details_->clear();
        for (const auto& line : lines) details_->add(line.c_str());
        shown_lines_ = std::move(lines);
    }
    if (!server_prefilled_ && !view.server.empty()) server_->value(view.server.c_str());
    server_prefilled_ = server_prefilled_ || !view.server.empty();
    if (view.can_activate)
        activate_->activate();
    else
        activate_->deactivate();
    activation_->labelcolor(view.activation_tone == Tone::idle ? FL_FOREGROUND_COLOR
                                                               : tone_colour(view.activation_tone));
    if (!activation_->label() || view.activation != activation_->label()) {
        activation_->copy_label(view.activation.c_str());
        redraw();
    }
}

}  // namespace vta::ui
