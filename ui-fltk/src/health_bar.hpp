// Health at a glance in the panel's status bar: one coloured segment per health item (green ok, amber warning, red
// alert), left to right in the snapshot's order; the reasons of the items that are not ok in the tooltip.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <FL/Fl_Widget.H>

#include "vta/host/health.hpp"

namespace vta::ui {

class HealthBar : public Fl_Widget {
public:
    HealthBar();

    // Shows `health` (null: nothing yet). Logs each segment's place when an item's level or the bar's layout
    // changes ("panel: health item disk alert at X,Y size WxH"), for the tests and the operator's log.
    void render(const std::shared_ptr<const host::HealthSnapshot>& health);
    void draw() override;
    void resize(int x, int y, int w, int h) override;

private:
    struct Segment {
        std::string key, text;
        host::HealthLevel level = host::HealthLevel::ok;
        int x = 0, w = 0;
    };
    void lay_out();

    std::vector<Segment> segments_;
    std::string logged_;  // the layout last logged
    std::string tooltip_;
};

}  // namespace vta::ui
