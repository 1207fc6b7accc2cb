#include "docgen.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace vta::bindings::docgen {

namespace {

struct Item {
    std::string kind;       // "lua" or "field"
    std::string signature;  // as written after the tag
    std::vector<std::string> text;
};

struct Module {
    std::string name;
    std::vector<std::string> text;
    std::vector<Item> items;
};

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string part;
    std::istringstream in(s);
    while (std::getline(in, part, sep)) out.push_back(trim(part));
    return out;
}

// Parses one source file; comments before any @module belong to "globals".
void parse(const std::filesystem::path& file, std::map<std::string, Module>& modules) {
    std::ifstream in(file);
    std::string line;
    Module* module = nullptr;
    std::vector<std::string>* target = nullptr;
    while (std::getline(in, line)) {
        std::string t = trim(line);
        if (t.rfind("//!", 0) != 0) {
            target = nullptr;
            continue;
        }
        std::string body = t.size() > 3 ? trim(t.substr(3)) : std::string();
        if (body.rfind("@module ", 0) == 0) {
            std::string name = trim(body.substr(8));
            module = &modules[name];
            module->name = name;
            target = &module->text;
            continue;
        }
        if (!module) {
            module = &modules["globals"];
            module->name = "globals";
        }
        if (body.rfind("@lua ", 0) == 0) {
            module->items.push_back(Item{"lua", trim(body.substr(5)), {}});
            target = &module->items.back().text;
            continue;
        }
        if (body.rfind("@field ", 0) == 0) {
            // "@field obs.rec conn The connection ...": the signature is the name and the type, the rest its text.
            auto words = split(trim(body.substr(7)), ' ');
            Item field{"field", words[0] + (words.size() > 1 ? " " + words[1] : std::string()), {}};
            std::string description;
            for (std::size_t i = 2; i < words.size(); ++i) description += (description.empty() ? "" : " ") + words[i];
            if (!description.empty()) field.text.push_back(description);
            module->items.push_back(std::move(field));
            target = &module->items.back().text;
            continue;
        }
        if (target) target->push_back(body);
    }
}

std::string lua_type(const std::string& word) {
    static const std::map<std::string, std::string> types = {
        {"id", "number"},           {"seconds", "number"},   {"number", "number"},
        {"true", "boolean"},        {"boolean", "boolean"},  {"visible", "boolean"},
        {"overlay", "boolean"},     {"fn", "function"},      {"function", "function"},
        {"handler", "function"},    {"table", "table"},      {"table[]", "table[]"},
        {"conn", "vta.Connection"}, {"nil", "nil"},          {"any", "any"},
        {"value", "any"},           {"...", "any"},          {"string", "string"},
        {"kind", "string"},         {"name", "string"},      {"path", "string"},
        {"feature", "string"},      {"key", "string"},       {"text", "string"},
        {"chunk", "string"},        {"chunkname", "string"}, {"scene", "string"},
        {"source", "string"},       {"input", "string"},     {"type", "string"},
        {"directory", "string"},    {"format", "string"},    {"option", "string"},
        {"defaults", "table"},      {"options", "table"},    {"query", "table"},
        {"tag", "table"},           {"settings", "table"},   {"data", "table"},
        {"page", "string"},         {"role", "string"},      {"group", "table"},
        {"enabled", "boolean"},     {"muted", "boolean"},    {"volume", "number"},
        {"unit", "string"}};
    if (!word.empty() && word.front() == '{') return "table";
    auto it = types.find(word);
    return it == types.end() ? "any" : it->second;
}

struct Signature {
    std::string owner;  // "timer", "conn" or "" for globals
    bool method = false;
    std::string name;
    std::vector<std::string> params;
    std::string returns;  // text after "->"
};

Signature parse_signature(const std::string& text) {
    Signature s;
    auto open = text.find('(');
    auto close = text.find(')', open);
    std::string path = text.substr(0, open);
    auto sep = path.find_last_of(".:");
    if (sep != std::string::npos) {
        s.owner = path.substr(0, sep);
        s.method = path[sep] == ':';
        s.name = path.substr(sep + 1);
    } else {
        s.name = path;
    }
    std::string params = text.substr(open + 1, close - open - 1);
    if (!trim(params).empty()) s.params = split(params, ',');
    auto arrow = text.find("->", close);
    if (arrow != std::string::npos) s.returns = trim(text.substr(arrow + 2));
    return s;
}

std::string returns_annotation(const std::string& returns) {
    std::string out;
    // "{path}" style tables contain commas: only split on commas outside braces.
    std::vector<std::string> values;
    int depth = 0;
    std::string current;
    for (char c : returns) {
        if (c == '{') ++depth;
        if (c == '}') --depth;
        if (c == ',' && depth == 0) {
            values.push_back(trim(current));
            current.clear();
            continue;
        }
        current += c;
    }
    if (!trim(current).empty()) values.push_back(trim(current));
    for (const auto& value : values) {
        std::string types;
        for (const auto& alternative : split(value, '|')) {
            if (!types.empty()) types += "|";
            types += lua_type(alternative);
        }
        out += "---@return " + types + "\n";
    }
    return out;
}

std::string render_lua(const std::vector<Module>& modules) {
    std::ostringstream out;
    out << "---@meta\n-- LuaLS annotations of the reStrike VTA workflow API. Generated by vta_docgen from the\n"
           "-- doc comments in bindings/src/*.cpp: do not edit, run `cmake --build <dir> --target bindings_docs`.\n\n"
           "---@class vta.Connection\nlocal Connection = {}\n\n";
    for (const auto& m : modules) {
        bool has_table = false;
        for (const auto& item : m.items)
            if (item.kind == "field" || parse_signature(item.signature).owner == m.name) has_table = true;
        if (has_table) {
            for (const auto& line : m.text) out << "--- " << line << "\n";
            out << "---@class vta." << m.name << "\n";
            for (const auto& item : m.items)
                if (item.kind == "field") {
                    auto words = split(item.signature, ' ');
                    std::string field = words[0].substr(words[0].find('.') + 1);
                    out << "---@field " << field << " " << lua_type(words.size() > 1 ? words[1] : "any");
                    for (const auto& line : item.text) out << " " << line;
                    out << "\n";
                }
            out << m.name << " = {}\n\n";
        }
        for (const auto& item : m.items) {
            if (item.kind != "lua") continue;
            Signature s = parse_signature(item.signature);
            for (const auto& line : item.text) out << "--- " << line << "\n";
            for (const auto& p : s.params) {
                std::string name = p;
                bool optional = !name.empty() && name.back() == '?';
                if (optional) name.pop_back();
                if (name == "...")
                    out << "---@param ... any\n";
                else
                    out << "---@param " << name << (optional ? "? " : " ") << lua_type(name) << "\n";
            }
            out << returns_annotation(s.returns);
            std::string owner = s.owner == "conn" ? "Connection" : s.owner;
            std::string params;
            for (const auto& p : s.params)
                params += (params.empty() ? "" : ", ") + (p.back() == '?' ? p.substr(0, p.size() - 1) : p);
            out << "function " << (owner.empty() ? "" : owner + (s.method ? ":" : ".")) << s.name << "(" << params
                << ") end\n\n";
        }
    }
    return out.str();
}

std::string render_markdown(const std::vector<Module>& modules) {
    std::ostringstream out;
    out << "# Workflow scripting reference\n\n"
           "Generated by `vta_docgen` from the doc comments in `bindings/src/*.cpp` (the same comments\n"
           "produce `docs/vta.lua`, the LuaLS annotations): do not edit by hand.\n\n"
           "A workflow package is a folder with `manifest.json` (name, version, author, description,\n"
           "permissions, config schema, optional main file, default `main.lua`) and Lua files. Each\n"
           "package runs in its own sandboxed LuaJIT state; handlers and timer callbacks run as coroutines.\n"
           "A call that waits (the obs methods, the store's reads, util.sleep, playback.open/close) suspends\n"
           "the coroutine without blocking the host until the answer or the timeout comes.\n\n"
           "Errors, everywhere: a wrong argument (missing, of the wrong type, out of range) raises an error at\n"
           "the call, naming the function and the argument. An operation that was tried and failed returns\n"
           "`nil, message, code`: `message` is for people, `code` for scripts (`timeout`, `not_connected`,\n"
           "`request_failed`, `invalid_state`, `unavailable`, `not_found`, `sqlite`, ...), e.g.\n"
           "`local clip, err, code = obs.rec:save_replay(); if code == \"timeout\" then ... end`.\n\n";
    for (const auto& m : modules) {
        out << "## " << m.name << "\n\n";
        for (const auto& line : m.text) out << line << "\n";
        if (!m.text.empty()) out << "\n";
        for (const auto& item : m.items) {
            if (item.kind == "field") {
                const auto words = split(item.signature, ' ');
                out << "### `" << words[0] << "`" << (words.size() > 1 ? " (" + words[1] + ")" : std::string())
                    << "\n\n";
            } else {
                out << "### `" << item.signature << "`\n\n";
            }
            for (const auto& line : item.text) out << line << "\n";
            out << "\n";
        }
    }
    return out.str();
}

}  // namespace

Docs generate(const std::filesystem::path& source_dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(source_dir))
        if (e.path().extension() == ".cpp") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::map<std::string, Module> by_name;
    for (const auto& f : files) parse(f, by_name);
    std::vector<Module> modules;
    if (by_name.count("globals")) modules.push_back(by_name["globals"]);
    for (const auto& [name, m] : by_name)
        if (name != "globals") modules.push_back(m);
    return Docs{render_markdown(modules), render_lua(modules)};
}

}  // namespace vta::bindings::docgen
