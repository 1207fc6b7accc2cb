#include "vta/licence_client/local_files.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "vta/common/owner_only.hpp"
#include "vta/licence/licence_file.hpp"

namespace vta::licence_client {

namespace {

using nlohmann::json;

Result<std::optional<licence::Time>> optional_time(const json& state, const char* name,
                                                   const std::filesystem::path& file) {
    if (!state.contains(name) || state[name].is_null()) return std::optional<licence::Time>();
    if (state[name].is_string())
        if (auto time = licence::parse_time(state[name].get<std::string>())) return std::optional(*time);
    return Error(Errc::invalid_config, file.string() + ": " + name + " is not a time YYYY-MM-DDTHH:MM:SSZ");
}

}  // namespace

LocalFiles LocalFiles::in(const std::filesystem::path& folder) {
    return {folder / "licence.json", folder / "licence-state.json"};
}

Result<LocalState> read_state(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return LocalState{};
    std::stringstream text;
    text << in.rdbuf();
    const auto state = json::parse(text.str(), nullptr, false);
    if (!state.is_object()) return Error(Errc::invalid_config, file.string() + " is not a JSON object");
    auto last_check = optional_time(state, "last_check", file);
    if (!last_check) return last_check.error();
    auto high_water = optional_time(state, "high_water", file);
    if (!high_water) return high_water.error();
    return LocalState{*last_check, *high_water};
}

VoidResult write_state(const std::filesystem::path& file, const LocalState& state) {
    auto time = [](const std::optional<licence::Time>& t) { return t ? json(licence::format_time(*t)) : json(); };
    return write_owner_only_file(
        file, json{{"last_check", time(state.last_check)}, {"high_water", time(state.high_water)}}.dump(2) + "\n");
}

Result<licence::Licence> install_licence(const std::filesystem::path& licence_file, std::string_view text,
                                         std::string_view public_key_pem) {
    auto verified = licence::verify_licence(text, public_key_pem);
    if (!verified) return verified.error();
    if (auto written = write_owner_only_file(licence_file, text); !written) return written.error();
    return verified;
}

licence::Evaluation evaluate_installed(const LocalFiles& files, std::string_view public_key_pem, licence::Time now,
                                       const licence::Fingerprint& machine) {
    auto state = read_state(files.state);
    if (!state) {
        spdlog::warn("licence: {}; counting as if no check was recorded", state.error().message);
        state = LocalState{};
    }
    auto evaluation = licence::evaluate(licence::read_licence_file(files.licence, public_key_pem),
                                        {now, state->last_check, state->high_water, machine});
    if (!state->high_water || evaluation.high_water > *state->high_water) {
        state->high_water = evaluation.high_water;
        if (auto written = write_state(files.state, *state); !written)
            spdlog::warn("licence: {}", written.error().message);
    }
    return evaluation;
}

VoidResult record_server_answer(const std::filesystem::path& state_file, const licence::Licence& answer) {
    if (!answer.last_check) return {};
    auto state = read_state(state_file);
    if (!state) return state.error();
    state->last_check = answer.last_check;
    state->high_water = answer.last_check;
    return write_state(state_file, *state);
}

}  // namespace vta::licence_client
