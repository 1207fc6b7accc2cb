// The files a host keeps for its licence: the installed licence file, and its state (the last successful
// online check and the latest time seen, which evaluate() needs). Writes replace a file whole (a new file
// renamed over the old), so a crash leaves the old one or the new one.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "vta/common/result.hpp"
#include "vta/licence/evaluation.hpp"
#include "vta/licence/licence.hpp"

namespace vta::licence_client {

// Where a host keeps them: `folder`/licence.json and `folder`/licence-state.json.
struct LocalFiles {
    std::filesystem::path licence;
    std::filesystem::path state;

    static LocalFiles in(const std::filesystem::path& folder);
};

struct LocalState {
    std::optional<licence::Time> last_check;  // the last verified server answer's last_check
    std::optional<licence::Time> high_water;  // the latest time seen (evaluate()'s Evaluation::high_water)
};

// An absent file is an empty state; a malformed one is Errc::invalid_config naming the file.
Result<LocalState> read_state(const std::filesystem::path& file);
// Owner-only (0600), its folder created when missing.
VoidResult write_state(const std::filesystem::path& file, const LocalState& state);

// Verifies `text` with `public_key_pem` and writes it to `licence_file`; the refusal's reason otherwise, and
// nothing is written.
Result<licence::Licence> install_licence(const std::filesystem::path& licence_file, std::string_view text,
                                         std::string_view public_key_pem);

// The installed licence evaluated now, as `vta license status` and the running host see it: reads both files,
// verifies the licence with `public_key_pem`, and moves the stored high-water mark forward (it only ever moves
// forward, so the next evaluation notices a clock set back). A state file that cannot be read or written is
// logged and evaluated as empty: a court is never locked out by its own bookkeeping.
licence::Evaluation evaluate_installed(const LocalFiles& files, std::string_view public_key_pem, licence::Time now,
                                       const licence::Fingerprint& machine);

// After a verified server answer: its last_check becomes the state's last check and its high-water mark
// (the server's clock corrects a local clock once set far ahead).
VoidResult record_server_answer(const std::filesystem::path& state_file, const licence::Licence& answer);

}  // namespace vta::licence_client
