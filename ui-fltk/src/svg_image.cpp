#include "svg_image.hpp"

#include <dlfcn.h>

#include <cairo.h>
#include <librsvg/rsvg.h>

#include <spdlog/spdlog.h>

namespace vta::ui {

namespace {

// librsvg (and the cairo and glib it brings) is loaded the first time a flag is drawn: linked in, it would
// add ~7 MiB to every `vta run`, which never draws one.
struct Rsvg {
    decltype(&rsvg_handle_new_from_file) new_from_file = nullptr;
    decltype(&rsvg_handle_render_document) render_document = nullptr;
    decltype(&g_object_unref) object_unref = nullptr;
    decltype(&g_error_free) error_free = nullptr;
    decltype(&cairo_image_surface_create) surface_create = nullptr;
    decltype(&cairo_create) create = nullptr;
    decltype(&cairo_surface_flush) surface_flush = nullptr;
    decltype(&cairo_image_surface_get_data) surface_data = nullptr;
    decltype(&cairo_image_surface_get_stride) surface_stride = nullptr;
    decltype(&cairo_destroy) destroy = nullptr;
    decltype(&cairo_surface_destroy) surface_destroy = nullptr;

    static const Rsvg* get() {
        static const Rsvg loaded = load();
        return loaded.new_from_file ? &loaded : nullptr;
    }

private:
    template <class F>
    static bool find(void* library, const char* name, F& function) {
        function = reinterpret_cast<F>(dlsym(library, name));
        return function != nullptr;
    }
    static Rsvg load() {
        Rsvg r;
        void* library = dlopen("librsvg-2.so.2", RTLD_NOW | RTLD_LOCAL);
        if (library == nullptr) {
            spdlog::warn("panel: SVG flags need librsvg (Debian librsvg2-2): {}", dlerror());
            return r;
        }
        const bool all =
            find(library, "rsvg_handle_new_from_file", r.new_from_file) &&
            find(library, "rsvg_handle_render_document", r.render_document) &&
            find(library, "g_object_unref", r.object_unref) && find(library, "g_error_free", r.error_free) &&
            find(library, "cairo_image_surface_create", r.surface_create) && find(library, "cairo_create", r.create) &&
            find(library, "cairo_surface_flush", r.surface_flush) &&
            find(library, "cairo_image_surface_get_data", r.surface_data) &&
            find(library, "cairo_image_surface_get_stride", r.surface_stride) &&
            find(library, "cairo_destroy", r.destroy) && find(library, "cairo_surface_destroy", r.surface_destroy);
        if (!all) {
            spdlog::warn("panel: this librsvg lacks rsvg_handle_render_document (librsvg 2.46 or later is needed)");
            r.new_from_file = nullptr;
        }
        return r;
    }
};

// Fl_RGB_Image does not own its pixels unless told to: this one keeps them with it.
class OwnedRgbaImage : public Fl_RGB_Image {
public:
    OwnedRgbaImage(std::unique_ptr<uchar[]> pixels, int width, int height)
        : Fl_RGB_Image(pixels.get(), width, height, 4), pixels_(std::move(pixels)) {}

private:
    std::unique_ptr<uchar[]> pixels_;
};

}  // namespace

std::unique_ptr<Fl_RGB_Image> render_svg(const std::filesystem::path& file, int width, int height) {
    const Rsvg* rsvg = Rsvg::get();
    if (rsvg == nullptr) return nullptr;
    GError* error = nullptr;
    RsvgHandle* handle = rsvg->new_from_file(file.c_str(), &error);
    if (handle == nullptr) {
        spdlog::warn("panel: cannot read the flag {}: {}", file.string(), error ? error->message : "unknown error");
        if (error) rsvg->error_free(error);
        return nullptr;
    }
    cairo_surface_t* surface = rsvg->surface_create(CAIRO_FORMAT_ARGB32, width, height);
    cairo_t* cr = rsvg->create(surface);
    const RsvgRectangle viewport{0, 0, double(width), double(height)};
    const bool drawn = rsvg->render_document(handle, cr, &viewport, &error);
    if (!drawn) {
        spdlog::warn("panel: cannot draw the flag {}: {}", file.string(), error ? error->message : "unknown error");
        if (error) rsvg->error_free(error);
    }
    rsvg->surface_flush(surface);
    std::unique_ptr<uchar[]> pixels;
    if (drawn) {
        // Cairo's ARGB32 is premultiplied native-endian words; FLTK wants straight R, G, B, A bytes.
        pixels = std::make_unique<uchar[]>(std::size_t(width) * height * 4);
        const unsigned char* data = rsvg->surface_data(surface);
        const int stride = rsvg->surface_stride(surface);
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const auto argb = *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4);
                const unsigned a = argb >> 24;
                uchar* out = &pixels[(std::size_t(y) * width + x) * 4];
                for (int c = 0; c < 3; ++c) {
                    const unsigned value = (argb >> (16 - 8 * c)) & 0xff;
                    out[c] = uchar(a == 0 ? 0 : std::min(255u, value * 255 / a));
                }
                out[3] = uchar(a);
            }
    }
    rsvg->destroy(cr);
    rsvg->surface_destroy(surface);
    rsvg->object_unref(handle);
    if (!pixels) return nullptr;
    return std::make_unique<OwnedRgbaImage>(std::move(pixels), width, height);
}

}  // namespace vta::ui
