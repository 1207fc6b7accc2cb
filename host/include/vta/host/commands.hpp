// The `vta` command line: one function per sub-command, each returning the process exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vta/common/result.hpp"

namespace vta::store {
class Database;
}

namespace vta::host {

using Arguments = std::vector<std::string>;

int run_command(const Arguments& args);       // vta run [--config FILE] [--bind ADDR] [--port N] [--db FILE]
                                              // vta run --dry-run CAPTURE.jsonl
int send_command(const Arguments& args);      // vta send CAPTURE.jsonl [--to HOST:PORT] [--speed X]
int simulate_command(const Arguments& args);  // vta simulate [--matches N] [--seed S] [--speed X] [--to HOST:PORT]
int matches_command(const Arguments& args);   // vta matches [--json]
int events_command(const Arguments& args);    // vta events --match ID [--json]
int stats_command(const Arguments& args);     // vta stats [--json]
int config_command(const Arguments& args);    // vta config [--defaults]
int obs_command(const Arguments& args);       // vta obs status [--json] [--wait S]
int status_command(const Arguments& args);    // vta status [--json]: health of the running host
int check_command(const Arguments& args);     // vta check PACKAGE
int chapters_command(const Arguments& args);  // vta chapters --day D [--out FILE] [--db FILE]
int audit_command(const Arguments& args);     // vta audit [--since TIME] [--json]
int secret_command(const Arguments& args);    // vta secret set NAME|list|delete NAME [--config FILE]
int license_command(const Arguments& args);   // vta license keygen|issue|revoke|serve|activate|status|request|install
// vta tournament run|results
int tournament_command(const Arguments& args);

// YouTube chapters of day `day` (id or YYYY-MM-DD); an error when there are none.
vta::Result<std::string> chapters_text(store::Database& db, const std::string& day);

int main_command(int argc, char** argv);

}  // namespace vta::host
