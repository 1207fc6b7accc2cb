// SVG flags (Debian's iso-flags-svg, as the overlays show them) drawn into an FLTK image with librsvg.
#pragma once

#include <filesystem>
#include <memory>

#include <FL/Fl_RGB_Image.H>

namespace vta::ui {

// `file` scaled into width x height (aspect kept, centred, transparent around); null when it cannot be read.
std::unique_ptr<Fl_RGB_Image> render_svg(const std::filesystem::path& file, int width, int height);

}  // namespace vta::ui
