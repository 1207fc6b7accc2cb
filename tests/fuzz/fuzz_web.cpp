// The overlay/web server's request path without a socket: bytes as what a client sends on one connection,
// read with the server's parser limits, each request routed as the server routes it (routing.hpp), and the
// route followed: the file a GET names is resolved in a served folder (its files and a symlink out exist), a
// JSON route gets its parsed body. Requests follow one another while the connection would be kept alive.
#include <filesystem>
#include <fstream>

#include <boost/asio/buffer.hpp>
#include <unistd.h>

#include "fuzz_target.hpp"
#include "routing.hpp"
#include "vta/web/static_files.hpp"

namespace vta::fuzz {

namespace {

namespace http = boost::beast::http;

struct Site {
    std::filesystem::path folder;
    std::vector<std::filesystem::path> roots;
    web::Feed feed;
    web::Routes routes;

    Site() {
        folder = std::filesystem::temp_directory_path() / ("vta-fuzz-web-" + std::to_string(::getpid()));
        std::filesystem::create_directories(folder / "site/overlay");
        std::filesystem::create_directories(folder / "flags");
        std::ofstream(folder / "site/index.html") << "<html></html>";
        std::ofstream(folder / "site/overlay/score.html") << "<html></html>";
        std::ofstream(folder / "flags/KOR.svg") << "<svg/>";
        std::ofstream(folder / "secret.txt") << "outside";
        std::error_code ignored;
        std::filesystem::create_symlink(folder / "secret.txt", folder / "site/escape.txt", ignored);
        roots = {folder / "site"};
        routes.files.emplace_back("/flags/", [this](std::string_view rest) {
            return web::resolve_static({folder / "flags"}, "/" + std::string(rest));
        });
        routes.json.push_back({"POST", "/api/chapters", [](const web::JsonRequest& r) -> Result<nlohmann::json> {
                                   if (!r.body.is_object()) return Error(Errc::invalid_argument, "not an object");
                                   return r.body;
                               }});
        routes.json.push_back({"GET", "/api/status", [](const web::JsonRequest& r) -> Result<nlohmann::json> {
                                   return nlohmann::json{{"query", r.query}};
                               }});
        routes.feeds.emplace_back("/feed", &feed);
    }
    ~Site() {
        std::error_code ignored;
        std::filesystem::remove_all(folder, ignored);
    }
};

void follow(const Site& site, const web::Routing& routing) {
    switch (routing.kind) {
        case web::Routing::Kind::file: {
            const auto file = routing.file_route ? (*routing.file_route)(routing.rest)
                                                 : web::resolve_static(site.roots, routing.rest);
            if (file) {
                // Only a file inside a served folder.
                const auto inside = [&](const std::filesystem::path& root) {
                    const auto real = std::filesystem::canonical(*file).string();
                    const auto base = std::filesystem::canonical(root).string() + "/";
                    return real.starts_with(base);
                };
                VTA_FUZZ_CHECK(inside(site.folder / "site") || inside(site.folder / "flags"));
                web::content_type_of(*file);
            }
            break;
        }
        case web::Routing::Kind::json:
            (*routing.json)(routing.json_request);
            break;
        case web::Routing::Kind::feed:
            VTA_FUZZ_CHECK(routing.feed == &site.feed);
            break;
        case web::Routing::Kind::refused:
            VTA_FUZZ_CHECK(int(routing.status) >= 400 && !routing.reason.empty());
            break;
    }
}

}  // namespace

int web_one_input(const std::uint8_t* data, std::size_t size) {
    static const Site site;
    std::string_view input = text_of(data, size);
    while (!input.empty()) {
        http::request_parser<http::string_body> parser;
        web::limit_request(parser, web::HttpServerOptions{}.max_body_bytes);
        parser.eager(true);
        boost::beast::error_code ec;
        while (!input.empty() && !parser.is_done()) {
            const std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
            input.remove_prefix(used);
            if (ec) break;
            if (used == 0) break;
        }
        if (!parser.is_done()) return 0;  // a bad or unfinished request: the server answers 400 or waits
        const web::Routing routing = web::route_request(site.routes, parser.get());
        follow(site, routing);
        if (!routing.keep_alive) return 0;
    }
    return 0;
}

}  // namespace vta::fuzz

VTA_FUZZ_ENTRY(vta::fuzz::web_one_input)
