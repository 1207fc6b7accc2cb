// The control room's table: one row per OBS (name and role, state, program scene, stream and recording with their
// running time, bitrate, dropped frames, and below them the outcome of the last bulk action), each with the
// operator's choice for the bulk buttons. A click on a row flips its choice. Lives on the FLTK thread only.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <FL/Fl_Widget.H>

#include "vta/ui/control_room_view.hpp"

namespace vta::ui {

class ControlRoomTable : public Fl_Widget {
public:
    static constexpr int header_h = 24;
    static constexpr int row_h = 48;

    ControlRoomTable(int x, int y, int w, int h);

    // Keeps the operator's choice by name; a connection seen for the first time starts as chosen_by_default.
    void show_rows(std::vector<ControlRoomRow> rows);
    // The chosen connections' names, in the table's order.
    std::vector<std::string> chosen() const;
    // Row `index`'s check box in window coordinates (x, y, w, h).
    std::array<int, 4> check_box(std::size_t index) const;

    void draw() override;
    int handle(int event) override;

private:
    std::vector<ControlRoomRow> rows_;
    std::vector<std::pair<std::string, bool>> choice_;  // by name
};

}  // namespace vta::ui
