#pragma once
// Everything of vta::obs in one include; see client.hpp for a usage example.

#include "vta/obs/client.hpp"
#include "vta/obs/config.hpp"
#include "vta/obs/connections.hpp"
#include "vta/obs/replay_keeper.hpp"
#include "vta/obs/result.hpp"
