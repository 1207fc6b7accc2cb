// The colour of each Tone, shared by the panel's windows.
#pragma once

#include <FL/Enumerations.H>

#include "vta/ui/view_models.hpp"

namespace vta::ui {

inline Fl_Color tone_colour(Tone tone) {
    switch (tone) {
        case Tone::good:
            return fl_rgb_color(46, 160, 67);
        case Tone::busy:
            return fl_rgb_color(230, 160, 20);
        case Tone::bad:
            return fl_rgb_color(200, 40, 40);
        case Tone::idle:
            break;
    }
    return fl_rgb_color(120, 120, 120);
}

}  // namespace vta::ui
