#include "audit_view.hpp"

#include <FL/Fl_Box.H>
#include <FL/Fl_Browser.H>
#include <FL/Fl_Choice.H>
#include <FL/Fl_Input.H>
#include <spdlog/spdlog.h>

#include "tone_colour.hpp"

namespace vta::ui {

namespace {

// Choice menus treat '/', '&', '_' and '\\' as markup: action names have underscores.
std::string menu_text(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '/' || c == '&' || c == '_' || c == '\\') escaped += '\\';
        escaped += c;
    }
    return escaped;
}

std::string chosen(const Fl_Choice* choice, const std::vector<std::string>& names) {
    const int index = choice->value();
    return index >= 0 && std::size_t(index) < names.size() ? names[std::size_t(index)] : "all";
}

}  // namespace

AuditView::AuditView(int x, int y, int w, int h) : Fl_Group(x, y, w, h) {
    auto* title = new Fl_Box(x, y, 60, 26, "Audit");
    title->labelfont(FL_HELVETICA_BOLD);
    title->align(FL_ALIGN_INSIDE | FL_ALIGN_LEFT);
    source_ = new Fl_Choice(x + 115, y, 90, 26, "Source");
    for (const auto& s : audit_sources()) source_->add(menu_text(s).c_str());
    source_->value(0);
    action_ = new Fl_Choice(x + 260, y, 170, 26, "Action");
    for (const auto& a : audit_action_names()) action_->add(menu_text(a).c_str());
    action_->value(0);
    text_ = new Fl_Input(x + 470, y, w - 470, 26, "Text");
    text_->when(FL_WHEN_CHANGED);
    const auto on_change = [](Fl_Widget*, void* self) { static_cast<AuditView*>(self)->refresh(); };
    source_->callback(on_change, this);
    action_->callback(on_change, this);
    text_->callback(on_change, this);
    list_ = new Fl_Browser(x, y + 31, w, h - 31);
    static int columns[] = {70, 110, 140, 0};
    list_->column_widths(columns);
    list_->column_char('\t');
    list_->textfont(FL_COURIER);
    resizable(list_);
    end();
}

AuditViewFilter AuditView::filter() const {
    return {chosen(source_, audit_sources()), chosen(action_, audit_action_names()), text_->value()};
}

int AuditView::shown_rows() const { return list_->size(); }

void AuditView::render(const host::HostSnapshot& snapshot) {
    if (!placed_logged_) {
        // Where the text filter and the list are, for the UI test that types into it and checks the pixels.
        spdlog::info("panel: audit text filter at {},{} size {}x{}", text_->x(), text_->y(), text_->w(), text_->h());
        spdlog::info("panel: audit list at {},{} size {}x{}", list_->x(), list_->y(), list_->w(), list_->h());
        placed_logged_ = true;
    }
    const std::int64_t newest = snapshot.audit.empty() ? 0 : snapshot.audit.back().id;
    if (newest == shown_newest_id_ && snapshot.audit.size() == shown_count_) return;
    shown_newest_id_ = newest;
    shown_count_ = snapshot.audit.size();
    entries_ = snapshot.audit;
    refresh();
}

void AuditView::refresh() {
    const AuditViewFilter f = filter();
    const auto rows = audit_rows(entries_, f);
    list_->clear();
    for (const auto& r : rows) {
        const Fl_Color colour = r.tone == Tone::idle ? FL_BLACK : tone_colour(r.tone);
        std::string line;
        for (const std::string* column : {&r.time, &r.source, &r.action, &r.detail})
            line += (line.empty() ? "" : "\t") + ("@C" + std::to_string(unsigned(colour)) + "@." + *column);
        list_->add(line.c_str());
    }
    spdlog::info("panel: audit list shows {} of {} rows (source {}, action {}, text '{}')", rows.size(),
                 entries_.size(), f.source, f.action, f.text);
}

}  // namespace vta::ui
