// Turning a configured shortcut ("Ctrl+R", "F5") into what FLTK compares against a key press.
#pragma once

#include <optional>
#include <string>

namespace vta::ui {

struct KeyChord {
    int key = 0;        // FLTK key code: FL_F + n, FL_Escape, ' ', or a lower-case letter / digit
    int modifiers = 0;  // FL_CTRL | FL_ALT | FL_SHIFT
};

// Nothing when `text` is not a valid shortcut (host::valid_shortcut).
std::optional<KeyChord> parse_shortcut(const std::string& text);

// True when the key press (FLTK key code and event state) is `chord`.
bool matches(const KeyChord& chord, int key, int state);

}  // namespace vta::ui
