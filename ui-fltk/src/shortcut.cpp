#include "vta/ui/shortcut.hpp"

#include <cctype>

#include <FL/Enumerations.H>

#include "vta/host/config.hpp"

namespace vta::ui {

std::optional<KeyChord> parse_shortcut(const std::string& text) {
    if (!host::valid_shortcut(text)) return std::nullopt;
    KeyChord chord;
    std::string rest = text;
    for (const auto& [prefix, bit] :
         {std::pair{"Ctrl+", FL_CTRL}, std::pair{"Alt+", FL_ALT}, std::pair{"Shift+", FL_SHIFT}})
        for (auto at = rest.find(prefix); at != std::string::npos; at = rest.find(prefix)) {
            chord.modifiers |= bit;
            rest.erase(at, std::string(prefix).size());
        }
    if (rest == "Space")
        chord.key = ' ';
    else if (rest == "Escape")
        chord.key = FL_Escape;
    else if (rest.size() > 1 && rest[0] == 'F')
        chord.key = FL_F + std::stoi(rest.substr(1));
    else
        chord.key = std::tolower(static_cast<unsigned char>(rest[0]));
    return chord;
}

bool matches(const KeyChord& chord, int key, int state) {
    const int modifiers = state & (FL_CTRL | FL_ALT | FL_SHIFT);
    return key == chord.key && modifiers == chord.modifiers;
}

}  // namespace vta::ui
