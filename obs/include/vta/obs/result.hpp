#pragma once
// vta::obs returns the host's one result type (vta/common/result.hpp); no exceptions cross its public API.

#include "vta/common/result.hpp"
