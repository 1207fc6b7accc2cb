#pragma once
// vta::store returns the host's one result type (vta/common/result.hpp): nothing in vta::store throws to its
// caller. SQLite failures are Errc::sqlite with the extended result code in Error::status_code.

#include "vta/common/result.hpp"
