// How the server answers one parsed request, decided apart from its connection: the session follows the
// decision, and tests/fuzz feeds parsed requests to it without a socket.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http.hpp>

#include "vta/web/http_server.hpp"

namespace vta::web {

struct Routes {
    struct Json {
        std::string method, path;
        HttpServer::JsonRoute handle;
    };
    std::vector<std::pair<std::string, HttpServer::FileRoute>> files;  // prefix, resolver
    std::vector<Json> json;
    std::vector<std::pair<std::string, Feed*>> feeds;  // path, feed
};

struct Routing {
    enum class Kind { feed, json, file, refused };
    Kind kind = Kind::refused;
    Feed* feed = nullptr;                               // feed: the WebSocket upgrade follows it
    const HttpServer::JsonRoute* json = nullptr;        // json: runs on the worker with json_request
    JsonRequest json_request;                           // json: body and query (the session adds remote)
    const HttpServer::FileRoute* file_route = nullptr;  // file: null for the static folders
    std::string rest;                                   // file: what the route or the static folders resolve
    boost::beast::http::status status = boost::beast::http::status::ok;  // refused
    std::string reason;                                                  // refused
    bool keep_alive = false;
    bool head = false;
};

// Reads every request with these limits (headers 8 KiB, the body max_body_bytes).
void limit_request(boost::beast::http::request_parser<boost::beast::http::string_body>& parser,
                   std::size_t max_body_bytes);

Routing route_request(const Routes& routes,
                      const boost::beast::http::request<boost::beast::http::string_body>& request);

}  // namespace vta::web
