#include "health_bar.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "tone_colour.hpp"
// Last: it brings X11's macros (Status, Bool), which clash with names in the host's headers.
#include <FL/fl_draw.H>

namespace vta::ui {

namespace {

constexpr int font_size = 13;
constexpr int gap = 3;
constexpr int padding = 8;

// Each kind of item keeps at least this width, so a figure that grows by a digit does not move the others.
int minimum_width(const std::string& key) {
    static const std::map<std::string, int> widths{
        {"cpu", 112}, {"memory", 68}, {"disk", 96}, {"udp", 104}, {"store", 118}};
    const auto found = widths.find(key);
    return found != widths.end() ? found->second : 150;  // an OBS
}

Tone tone_of(host::HealthLevel level) {
    switch (level) {
        case host::HealthLevel::ok:
            return Tone::good;
        case host::HealthLevel::warning:
            return Tone::busy;
        case host::HealthLevel::alert:
            return Tone::bad;
    }
    return Tone::idle;
}

}  // namespace

HealthBar::HealthBar() : Fl_Widget(0, 0, 0, 0) {}

void HealthBar::render(const std::shared_ptr<const host::HealthSnapshot>& health) {
    std::vector<Segment> segments;
    std::string tooltip;
    if (health)
        for (const auto& item : health->items) {
            segments.push_back({item.key, item.text, item.level});
            if (item.level != host::HealthLevel::ok)
                tooltip +=
                    fmt::format("{}{}: {}", tooltip.empty() ? "" : "\n", host::to_string(item.level), item.reason);
        }
    if (health && tooltip.empty()) tooltip = "health: all ok";
    bool same = segments.size() == segments_.size();
    for (std::size_t i = 0; same && i < segments.size(); ++i)
        same = segments[i].text == segments_[i].text && segments[i].level == segments_[i].level;
    if (same) return;
    segments_ = std::move(segments);
    if (tooltip != tooltip_) {
        tooltip_ = tooltip;
        copy_tooltip(tooltip_.c_str());
    }
    lay_out();
    redraw();
}

void HealthBar::resize(int x, int y, int w, int h) {
    Fl_Widget::resize(x, y, w, h);
    lay_out();
}

void HealthBar::lay_out() {
    fl_font(FL_HELVETICA, font_size);
    int needed = 0;
    for (auto& s : segments_) {
        s.w = std::max(minimum_width(s.key), int(fl_width(s.text.c_str())) + 2 * padding);
        needed += s.w + gap;
    }
    // More items than the bar holds (several OBS): each gets an equal share, its text clipped, so every item's colour
    // stays in view; the tooltip keeps the reasons.
    const int n = int(segments_.size());
    if (n > 0 && needed - gap > w()) {
        const int share = std::max(1, (w() - gap * (n - 1)) / n);
        for (auto& s : segments_) s.w = share;
    }
    int at = x();
    std::string layout;
    for (auto& s : segments_) {
        s.x = at;
        at += s.w + gap;
        layout += fmt::format("panel: health item {} {} at {},{} size {}x{}\n", s.key, host::to_string(s.level), s.x,
                              y(), std::min(s.w, std::max(0, x() + w() - s.x)), h());
    }
    if (layout == logged_) return;
    logged_ = layout;
    if (!layout.empty()) spdlog::info("{}", layout.substr(0, layout.size() - 1));
}

void HealthBar::draw() {
    fl_push_clip(x(), y(), w(), h());
    fl_color(tone_colour(Tone::idle));
    fl_rectf(x(), y(), w(), h());
    fl_font(FL_HELVETICA, font_size);
    for (const auto& s : segments_) {
        if (s.x >= x() + w()) break;
        fl_color(tone_colour(tone_of(s.level)));
        fl_rectf(s.x, y(), s.w, h());
        // Black on the amber, white on green and red: readable from across the desk.
        fl_color(s.level == host::HealthLevel::warning ? FL_BLACK : FL_WHITE);
        fl_draw(s.text.c_str(), s.x + padding, y(), s.w - 2 * padding, h(), FL_ALIGN_LEFT | FL_ALIGN_CLIP);
    }
    fl_pop_clip();
}

}  // namespace vta::ui
