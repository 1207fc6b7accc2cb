#include "control_room_table.hpp"

#include <algorithm>

#include <FL/Fl.H>
#include <FL/fl_draw.H>

#include "tone_colour.hpp"

namespace vta::ui {

namespace {

// Columns: left edge from the table's x and width; the name column starts after the check box.
struct Column {
    const char* title;
    int x, w;
};
constexpr Column columns[] = {{"OBS", 30, 140},     {"State", 172, 106},     {"Program scene", 282, 110},
                              {"Stream", 396, 100}, {"Recording", 500, 108}, {"Bitrate", 612, 72},
                              {"Dropped", 688, 56}};
constexpr int check_size = 18;

void text_in(const std::string& text, int x, int y, int w, int h, Fl_Color colour, Fl_Font font = FL_HELVETICA,
             int size = 14) {
    fl_color(colour);
    fl_font(font, size);
    fl_draw(text.c_str(), x, y, w, h, FL_ALIGN_LEFT | FL_ALIGN_CLIP | FL_ALIGN_INSIDE);
}

// A tone as text colour on the light background: idle grey would be too faint, so it is black.
Fl_Color text_colour(Tone tone) { return tone == Tone::idle ? FL_BLACK : tone_colour(tone); }

}  // namespace

ControlRoomTable::ControlRoomTable(int x, int y, int w, int h) : Fl_Widget(x, y, w, h) { box(FL_DOWN_BOX); }

void ControlRoomTable::show_rows(std::vector<ControlRoomRow> rows) {
    std::vector<std::pair<std::string, bool>> choice;
    for (const auto& row : rows) {
        const auto known =
            std::find_if(choice_.begin(), choice_.end(), [&](const auto& c) { return c.first == row.name; });
        choice.emplace_back(row.name, known == choice_.end() ? row.chosen_by_default : known->second);
    }
    choice_ = std::move(choice);
    rows_ = std::move(rows);
    redraw();
}

std::vector<std::string> ControlRoomTable::chosen() const {
    std::vector<std::string> names;
    for (const auto& [name, on] : choice_)
        if (on) names.push_back(name);
    return names;
}

std::array<int, 4> ControlRoomTable::check_box(std::size_t index) const {
    const int top = y() + header_h + int(index) * row_h;
    return {x() + 6, top + 6, check_size, check_size};
}

void ControlRoomTable::draw() {
    draw_box(FL_FLAT_BOX, x(), y(), w(), h(), FL_WHITE);
    fl_push_clip(x(), y(), w(), h());
    fl_color(fl_rgb_color(225, 225, 225));
    fl_rectf(x(), y(), w(), header_h);
    for (const auto& c : columns) text_in(c.title, x() + c.x, y(), c.w, header_h, FL_BLACK, FL_HELVETICA_BOLD, 13);
    for (std::size_t i = 0; i < rows_.size(); ++i) {
        const ControlRoomRow& r = rows_[i];
        const int top = y() + header_h + int(i) * row_h;
        if (i % 2) {
            fl_color(fl_rgb_color(244, 246, 250));
            fl_rectf(x(), top, w(), row_h);
        }
        const auto [cx, cy, cw, ch] = check_box(i);
        const bool on = i < choice_.size() && choice_[i].second;
        fl_color(on ? fl_rgb_color(30, 90, 200) : FL_WHITE);
        fl_rectf(cx, cy, cw, ch);
        fl_color(FL_DARK3);
        fl_rect(cx, cy, cw, ch);
        if (on) {
            fl_color(FL_WHITE);
            fl_line_style(FL_SOLID, 3);
            fl_line(cx + 4, cy + 9, cx + 8, cy + 13, cx + 14, cy + 4);
            fl_line_style(0);
        }
        const int line = 24;
        text_in(r.name + " (" + r.role + ")", x() + columns[0].x, top, columns[0].w, line, FL_BLACK, FL_HELVETICA_BOLD);
        // The state as a pill in its tone, like the connection boxes along the top.
        fl_color(tone_colour(r.tone));
        fl_rectf(x() + columns[1].x, top + 3, columns[1].w - 6, line - 6);
        text_in(r.state, x() + columns[1].x + 4, top, columns[1].w - 10, line, FL_WHITE, FL_HELVETICA_BOLD, 13);
        text_in(r.scene, x() + columns[2].x, top, columns[2].w, line, FL_BLACK);
        text_in(r.stream, x() + columns[3].x, top, columns[3].w, line, text_colour(r.stream_tone),
                r.stream_tone == Tone::idle ? FL_HELVETICA : FL_HELVETICA_BOLD);
        text_in(r.record, x() + columns[4].x, top, columns[4].w, line, text_colour(r.record_tone),
                r.record_tone == Tone::idle ? FL_HELVETICA : FL_HELVETICA_BOLD);
        text_in(r.bitrate, x() + columns[5].x, top, columns[5].w, line, FL_BLACK);
        text_in(r.dropped, x() + columns[6].x, top, std::max(10, w() - columns[6].x - 4), line,
                text_colour(r.dropped_tone));
        if (!r.result.empty())
            text_in("last action: " + r.result, x() + columns[0].x, top + line - 2, w() - columns[0].x - 6, line - 2,
                    text_colour(r.result_tone), FL_HELVETICA, 13);
    }
    fl_pop_clip();
    draw_box(FL_BORDER_FRAME, x(), y(), w(), h(), FL_DARK3);
}

int ControlRoomTable::handle(int event) {
    if (event != FL_PUSH) return Fl_Widget::handle(event);
    const int index = (Fl::event_y() - y() - header_h) / row_h;
    if (Fl::event_y() < y() + header_h || index < 0 || std::size_t(index) >= choice_.size()) return 1;
    choice_[std::size_t(index)].second = !choice_[std::size_t(index)].second;
    redraw();
    do_callback();
    return 1;
}

}  // namespace vta::ui
