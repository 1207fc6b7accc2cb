#include "vta/web/static_files.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace vta::web {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// True when `inner` (canonical) is `root` (canonical) or below it.
bool is_within(const std::filesystem::path& inner, const std::filesystem::path& root) {
    auto i = inner.begin();
    for (auto r = root.begin(); r != root.end(); ++r, ++i)
        if (i == inner.end() || *i != *r) return false;
    return true;
}

}  // namespace

std::optional<std::string> decoded_path(std::string_view target) {
    target = target.substr(0, target.find_first_of("?#"));
    std::string out;
    out.reserve(target.size());
    for (std::size_t i = 0; i < target.size(); ++i) {
        if (target[i] != '%') {
            out += target[i];
            continue;
        }
        if (i + 2 >= target.size()) return std::nullopt;
        const int high = hex_value(target[i + 1]), low = hex_value(target[i + 2]);
        if (high < 0 || low < 0) return std::nullopt;
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

vta::Result<std::filesystem::path> resolve_static(const std::vector<std::filesystem::path>& roots,
                                                  std::string_view target) {
    const auto refused = [](const std::string& why) { return vta::Error(vta::Errc::invalid_argument, why); };
    const std::optional<std::string> path = decoded_path(target);
    if (!path) return refused("malformed percent-escape in the path");
    if (path->empty() || path->front() != '/') return refused("the path must begin with /");
    if (path->find('\0') != std::string::npos || path->find('\\') != std::string::npos)
        return refused("NUL or backslash in the path");
    std::filesystem::path relative;
    std::size_t begin = 1;
    while (begin <= path->size()) {
        const std::size_t end = std::min(path->find('/', begin), path->size());
        const std::string_view segment(path->data() + begin, end - begin);
        if (segment == "..") return refused("\"..\" in the path");
        if (!segment.empty() && segment != ".") relative /= std::string(segment);
        begin = end + 1;
    }
    if (relative.empty() || path->back() == '/') relative /= "index.html";
    for (const std::filesystem::path& root : roots) {
        std::error_code ec;
        const std::filesystem::path candidate = root / relative;
        if (!std::filesystem::exists(std::filesystem::symlink_status(candidate, ec))) continue;
        const std::filesystem::path real = std::filesystem::canonical(candidate, ec);
        if (ec) continue;  // a dangling symlink
        const std::filesystem::path real_root = std::filesystem::canonical(root, ec);
        if (ec || !is_within(real, real_root)) return refused("the path leads out of the served folders");
        if (!std::filesystem::is_regular_file(real, ec)) continue;
        return real;
    }
    return vta::Error(vta::Errc::not_found, "no such file: " + relative.generic_string());
}

std::string_view content_type_of(const std::filesystem::path& file) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> types{{
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".woff2", "font/woff2"},
        {".ttf", "font/ttf"},
        {".txt", "text/plain; charset=utf-8"},
        {".md", "text/markdown; charset=utf-8"},
    }};
    const std::string extension = file.extension().string();
    for (const auto& [ext, type] : types)
        if (ext == extension) return type;
    return "application/octet-stream";
}

}  // namespace vta::web
